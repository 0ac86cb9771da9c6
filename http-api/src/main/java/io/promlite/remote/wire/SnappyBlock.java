package io.promlite.remote.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.Snappy;

/**
 * Snappy's block format (not the framed one), as remote write sends it: a varint preamble with
 * the decoded length, then literals and copies.
 */
public final class SnappyBlock {
    private SnappyBlock() {
    }

    /**
     * Decodes a block whose declared length must not exceed {@code maxDecodedBytes}. The
     * preamble is checked before anything is allocated, so a small body cannot make promlite
     * reserve a huge buffer.
     */
    public static byte[] decode(byte[] block, int maxDecodedBytes) throws RemoteWriteException {
        long declared = declaredLength(block);
        if (declared > maxDecodedBytes) {
            throw new RemoteWriteException("snappy: decoded block is " + declared + " bytes, more than the limit of "
                    + maxDecodedBytes);
        }
        ByteBuf out = Unpooled.buffer((int) declared, (int) declared);
        ByteBuf in = Unpooled.wrappedBuffer(block);
        try {
            new Snappy().decode(in, out);
        } catch (DecompressionException | IndexOutOfBoundsException e) {
            throw new RemoteWriteException("snappy: corrupt input");
        }
        if (in.isReadable() || out.readableBytes() != declared) {
            throw new RemoteWriteException("snappy: corrupt input");
        }
        byte[] result = new byte[(int) declared];
        out.readBytes(result);
        return result;
    }

    /** The preamble: the decoded length as an unsigned varint of at most 32 bits. */
    static long declaredLength(byte[] block) throws RemoteWriteException {
        long value = 0;
        for (int i = 0; i < Math.min(5, block.length); i++) {
            int b = block[i] & 0xff;
            value |= (long) (b & 0x7f) << (7 * i);
            if (b < 0x80) {
                if (value > 0xffffffffL) {
                    break;
                }
                return value;
            }
        }
        throw new RemoteWriteException("snappy: corrupt input");
    }
}
