package io.promlite.web;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open connections and closes those that stay silent past the read timeout (signalled by an
 * {@code IdleStateHandler} ahead of it), so idle or abusive clients cannot pile up.
 */
@ChannelHandler.Sharable
final class ConnectionGuard extends ChannelDuplexHandler {
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionGuard(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (open.incrementAndGet() > maxConnections) {
            ctx.close();
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
