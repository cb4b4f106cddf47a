package io.msgc.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;

/**
 * A blocking socket that speaks raw frames, for protocol-level tests: sends exactly the bytes a test builds,
 * reads whole frames with a timeout.
 */
public final class RawConnection implements AutoCloseable
{
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** Every byte this connection sent, in order: a captured handshake to replay. */
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private HandshakeInitiator initiator;
    /** Scratch for encoding frames. */
    public final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 21]);

    /**
     * @param address server address.
     * @param local   local address to bind (may be null).
     * @throws IOException on connect failure.
     */
    public RawConnection(final InetSocketAddress address, final InetSocketAddress local) throws IOException
    {
        socket = new Socket();
        if (local != null)
        {
            socket.bind(local);
        }
        socket.connect(address, 2000);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * @param address server address.
     * @throws IOException on connect failure.
     */
    public RawConnection(final InetSocketAddress address) throws IOException
    {
        this(address, null);
    }

    /**
     * Send the first {@code length} bytes of {@link #buffer}.
     *
     * @param length byte count.
     * @throws IOException on write failure.
     */
    public void send(final int length) throws IOException
    {
        out.write(buffer.byteArray(), 0, length);
        out.flush();
        sent.write(buffer.byteArray(), 0, length);
    }

    /**
     * @param bytes raw bytes to send.
     * @throws IOException on write failure.
     */
    public void sendBytes(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        sent.write(bytes, 0, bytes.length);
    }

    /**
     * @return every byte sent so far (a recorded handshake, to replay on another connection).
     */
    public byte[] sentBytes()
    {
        return sent.toByteArray();
    }

    /**
     * The connecting side's handshake: HELLO (with a nonce when {@code proof} is given), AUTH in answer to the
     * server's CHALLENGE, up to the server's answer.
     *
     * @param role        HELLO role.
     * @param name        name.
     * @param incarnation incarnation (peers).
     * @param digest      peers digest (peers).
     * @param proof       the secrets to prove, or null for none.
     * @return the server's answer: WELCOME (check it with {@link #checkWelcome}) or REJECT.
     * @throws IOException on EOF, timeout, or a CHALLENGE the initiator refuses.
     */
    public UnsafeBuffer handshake(
        final int role, final String name, final long incarnation, final long digest, final AuthProof proof)
        throws IOException
    {
        initiator = new HandshakeInitiator(proof, new SecureRandom());
        send(initiator.hello(buffer, 0, role, incarnation, digest, name));
        while (true)
        {
            final UnsafeBuffer frame = read(5000);
            if (frame == null)
            {
                throw new IOException("no answer to HELLO within 5000 ms");
            }
            if (FrameHeader.type(frame, 0) != FrameType.CHALLENGE)
            {
                return frame;
            }
            final int length = initiator.onChallenge(frame, 0, frame.capacity(), null, buffer, 0);
            if (length < 0)
            {
                throw new IOException(initiator.failure());
            }
            if (length > 0)
            {
                send(length);
            }
        }
    }

    /**
     * @param welcome a WELCOME answering {@link #handshake}.
     * @return null when it proves the secret (or none was used), else why not.
     */
    public String checkWelcome(final UnsafeBuffer welcome)
    {
        final WelcomeFrame frame = new WelcomeFrame();
        final String error = frame.wrap(welcome, 0, welcome.capacity());
        return error != null ? error : initiator.checkWelcome(frame);
    }

    /**
     * Send a client or admin HELLO.
     *
     * @param role role.
     * @param name name.
     * @throws IOException on write failure.
     */
    public void hello(final int role, final String name) throws IOException
    {
        send(HelloFrame.encode(buffer, 0, role, 0, 0, name));
    }

    /**
     * Read one frame.
     *
     * @param timeoutMs longest wait.
     * @return the frame bytes, or null on timeout.
     * @throws IOException on EOF or error.
     */
    public UnsafeBuffer read(final int timeoutMs) throws IOException
    {
        socket.setSoTimeout(timeoutMs);
        try
        {
            final byte[] header = new byte[FrameHeader.LENGTH];
            in.readFully(header);
            final int length = FrameHeader.frameLength(new UnsafeBuffer(header), 0);
            final byte[] frame = new byte[length];
            System.arraycopy(header, 0, frame, 0, FrameHeader.LENGTH);
            in.readFully(frame, FrameHeader.LENGTH, length - FrameHeader.LENGTH);
            return new UnsafeBuffer(frame);
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
    }

    /**
     * Read frames until one of the given type arrives (others skipped).
     *
     * @param type      wanted frame type.
     * @param timeoutMs longest total wait.
     * @return the frame.
     * @throws IOException on EOF, error or timeout.
     */
    public UnsafeBuffer readType(final int type, final int timeoutMs) throws IOException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline)
        {
            final UnsafeBuffer frame = read((int)Math.max(1, deadline - System.currentTimeMillis()));
            if (frame != null && FrameHeader.type(frame, 0) == type)
            {
                return frame;
            }
        }
        throw new IOException("no " + FrameType.name(type) + " within " + timeoutMs + " ms");
    }

    /**
     * @param timeoutMs longest wait.
     * @return true when the server closed the connection within the time.
     * @throws IOException on error other than EOF.
     */
    public boolean closedByPeer(final int timeoutMs) throws IOException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        try
        {
            while (System.currentTimeMillis() < deadline)
            {
                read((int)Math.max(1, deadline - System.currentTimeMillis()));
            }
            return false;
        }
        catch (final EOFException | java.net.SocketException ex)
        {
            return true;
        }
    }

    /**
     * @param frame a REJECT or ERROR frame.
     * @return "CODE: reason".
     */
    public static String reason(final UnsafeBuffer frame)
    {
        final ReasonFrame reason = new ReasonFrame();
        final String error = reason.wrap(frame, 0, frame.capacity());
        return error != null ? error : ErrorCode.name(reason.code()) + ": " + reason.reason();
    }

    /** {@inheritDoc} */
    public void close() throws IOException
    {
        socket.close();
    }
}
