package io.msgc.bench.rig;

/**
 * A system under test: what carries the rig's messages in one run.
 */
enum Sut
{
    /** msgc servers, clients on the TCP client library ({@code MsgcClient}). */
    MSGC("msgc"),
    /** One embedded msgc server, clients attached in-process over shared-memory rings ({@code InProcessMember}). */
    IN_PROCESS("in-process"),
    /** The baseline relay on one selector thread (non-blocking sockets), the servers' idle strategy. */
    RELAY("relay"),
    /** The baseline relay on blocking sockets, one thread per connection. */
    BLOCKING("blocking relay");

    final String label;

    Sut(final String label)
    {
        this.label = label;
    }

    /**
     * @return a file-name-safe label.
     */
    String fileLabel()
    {
        return label.replace(' ', '-');
    }
}
