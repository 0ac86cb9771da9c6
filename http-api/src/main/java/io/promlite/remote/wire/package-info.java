/**
 * Remote write 1.0's wire format, both directions: the protobuf {@code WriteRequest} encoder and
 * decoder, and snappy's block format (an encoder of promlite's own, the decoder over Netty's).
 * The sender ({@code io.promlite.remote}) and the receiver ({@code /api/v1/write}) share it.
 */
package io.promlite.remote.wire;
