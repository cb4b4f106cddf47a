package io.msgc.bench.rig;

import org.agrona.DirectBuffer;

/**
 * Receives one message payload; the bytes are valid only during the call.
 */
@FunctionalInterface
interface PayloadHandler
{
    /**
     * @param buffer holds the payload.
     * @param offset first payload byte.
     * @param length payload length.
     */
    void onPayload(DirectBuffer buffer, int offset, int length);
}
