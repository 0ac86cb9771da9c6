package io.promlite.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;

/** promlite's own {@code /metrics}, in the text format the client's {@code Accept} header asks for. */
public final class MetricsHandler implements Handler {
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    public MetricsHandler(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HttpResponse handle(HttpRequest request) throws Exception {
        ExpositionFormatWriter writer = formats.findWriter(request.headers().get(HttpHeaderNames.ACCEPT));
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        writer.write(out, registry.scrape());
        return new HttpResponse(HttpResponseStatus.OK, writer.getContentType(), out.toByteArray());
    }
}
