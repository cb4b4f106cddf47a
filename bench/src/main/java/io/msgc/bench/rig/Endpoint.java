package io.msgc.bench.rig;

import org.agrona.DirectBuffer;

/**
 * One client of the system under test: it sends payloads to its one fixed destination and hands received
 * payloads to a {@link PayloadHandler}. Either the rig's driver thread owns it and calls {@link #poll}, or it
 * reads on a thread of its own after {@link #start} ({@link #threaded()}); {@link #send} may then be called from
 * the driver thread and from inside the handler (an echo).
 */
interface Endpoint extends AutoCloseable
{
    /**
     * Queue one message. The bytes are copied before this returns.
     *
     * @param payload the payload bytes.
     * @param offset  first byte.
     * @param length  payload length.
     * @return false when back-pressured: nothing was queued, try again later.
     */
    boolean send(DirectBuffer payload, int offset, int length);

    /**
     * Do the endpoint's I/O once: write what is queued, read, deliver received payloads. Does nothing for a
     * threaded endpoint.
     *
     * @param handler receives each payload.
     * @return work done (0 when idle).
     */
    int poll(PayloadHandler handler);

    /**
     * @return true when it reads on a thread of its own, started by {@link #start}.
     */
    default boolean threaded()
    {
        return false;
    }

    /**
     * Start reading on the endpoint's own thread (a threaded endpoint only).
     *
     * @param handler receives each payload, on that thread.
     */
    default void start(final PayloadHandler handler)
    {
        throw new UnsupportedOperationException("not a threaded endpoint");
    }

    /**
     * @return null while healthy, else why the endpoint failed (disconnected, refused, error frame).
     */
    String failure();

    @Override
    void close();
}
