package io.msgc.bench.rig;

import org.agrona.DirectBuffer;

/**
 * One client of the system under test, driven by the rig's single driver thread: it sends payloads to its one
 * fixed destination and hands received payloads to a {@link PayloadHandler}.
 */
interface Endpoint extends AutoCloseable
{
    /**
     * Queue one message. The bytes are copied before this returns.
     *
     * @param payload the payload bytes.
     * @param offset  first byte.
     * @param length  payload length.
     * @return false when back-pressured: nothing was queued, try again after {@link #poll}.
     */
    boolean send(DirectBuffer payload, int offset, int length);

    /**
     * Do the endpoint's I/O once: write what is queued, read, deliver received payloads.
     *
     * @param handler receives each payload.
     * @return work done (0 when idle).
     */
    int poll(PayloadHandler handler);

    /**
     * @return null while healthy, else why the endpoint failed (disconnected, refused, error frame).
     */
    String failure();

    @Override
    void close();
}
