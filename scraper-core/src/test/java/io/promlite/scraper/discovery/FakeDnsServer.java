package io.promlite.scraper.discovery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A minimal authoritative DNS server over UDP on 127.0.0.1, answering from a table tests change. */
public final class FakeDnsServer implements AutoCloseable {
    public static final int A = 1;
    static final int NS = 2;
    static final int MX = 15;
    static final int AAAA = 28;
    static final int SRV = 33;

    private final DatagramSocket socket;
    private final Map<String, List<byte[]>> records = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    public FakeDnsServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "fake-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** Where it listens, as {@code --discovery.dns.nameservers} takes it. */
    public String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Sets the records of a name and type; a name with no entry at all is NXDOMAIN. */
    public void set(String name, int type, List<byte[]> rdata) {
        records.put(key(name, type), rdata);
    }

    void clear() {
        records.clear();
    }

    /** Makes every query for {@code name} fail with SERVFAIL (or answer again). */
    void failing(String name, boolean fail) {
        if (fail) {
            failing.add(name.toLowerCase());
        } else {
            failing.remove(name.toLowerCase());
        }
    }

    static byte[] srv(int port, String target) {
        ByteBuffer b = ByteBuffer.allocate(6 + encodedLength(target));
        b.putShort((short) 10).putShort((short) 5).putShort((short) port).put(encodeName(target));
        return b.array();
    }

    static byte[] mx(String host) {
        ByteBuffer b = ByteBuffer.allocate(2 + encodedLength(host));
        b.putShort((short) 10).put(encodeName(host));
        return b.array();
    }

    static byte[] name(String host) {
        return encodeName(host);
    }

    public static byte[] address(String ip) throws IOException {
        return InetAddress.getByName(ip).getAddress();
    }

    private static String key(String name, int type) {
        return name.toLowerCase() + "/" + type;
    }

    private boolean knows(String name) {
        String prefix = name.toLowerCase() + "/";
        return records.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] reply = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private byte[] answer(ByteBuffer q) {
        short id = q.getShort();
        q.position(12);
        int questionStart = 12;
        StringBuilder name = new StringBuilder();
        for (int len = q.get() & 0xff; len != 0; len = q.get() & 0xff) {
            byte[] label = new byte[len];
            q.get(label);
            name.append(name.length() == 0 ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = q.getShort() & 0xffff;
        q.getShort();
        int questionEnd = q.position();
        boolean fail = failing.contains(name.toString().toLowerCase());
        List<byte[]> answers = fail ? List.of() : records.getOrDefault(key(name.toString(), type), List.of());
        int rcode = fail ? 2 : knows(name.toString()) ? 0 : 3;

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(12);
        header.putShort(id).putShort((short) (0x8400 | rcode)).putShort((short) 1)
                .putShort((short) answers.size()).putShort((short) 0).putShort((short) 0);
        out.writeBytes(header.array());
        out.write(q.array(), questionStart, questionEnd - questionStart);
        for (byte[] rdata : answers) {
            ByteBuffer rr = ByteBuffer.allocate(12 + rdata.length);
            rr.putShort((short) 0xC00C).putShort((short) type).putShort((short) 1).putInt(60)
                    .putShort((short) rdata.length).put(rdata);
            out.writeBytes(rr.array());
        }
        return out.toByteArray();
    }

    private static int encodedLength(String name) {
        return encodeName(name).length;
    }

    private static byte[] encodeName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                out.write(label.length());
                out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(1000);
    }
}
