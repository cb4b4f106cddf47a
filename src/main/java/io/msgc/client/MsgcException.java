package io.msgc.client;

/**
 * A client operation failed: connect refused, handshake timeout, server unreachable.
 */
public final class MsgcException extends Exception
{
    private static final long serialVersionUID = 1L;
    private final int code;

    /**
     * @param code    {@link io.msgc.wire.ErrorCode}, or 0 for local failures.
     * @param message what happened and what to do.
     */
    public MsgcException(final int code, final String message)
    {
        super(message);
        this.code = code;
    }

    /**
     * @return the server's error code, 0 for local failures.
     */
    public int code()
    {
        return code;
    }
}
