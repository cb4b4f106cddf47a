package io.msgc.bench.rig;

/**
 * A running system under test (msgc servers, in-process members, or a relay baseline) with its endpoints
 * connected: one publisher and one or more subscribers. Subscribers send back to the publisher (the round-trip
 * echo).
 */
interface Topology extends AutoCloseable
{
    /**
     * @return the publisher (A).
     */
    Endpoint publisher();

    /**
     * @return the subscribers (B, or the fan-out set).
     */
    Endpoint[] subscribers();

    /**
     * @return which system this is.
     */
    Sut system();

    /** Stop the servers or relays and close every endpoint. */
    @Override
    void close();
}
