package io.msgc.cli;

import io.msgc.conf.HostPort;
import io.msgc.conf.Secret;
import io.msgc.wire.AdminFrame;
import io.msgc.wire.AuthProof;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.HandshakeInitiator;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;

/**
 * A blocking admin-console connection: HELLO as admin (and AUTH when the node challenges and a secret is given),
 * then, once WELCOME came (with the node's proof when a secret is given), one request and one text answer
 * (reassembled from its frames). A REJECT or ERROR from the server becomes an {@link IOException} carrying its code
 * and reason.
 */
final class AdminClient
{
    private AdminClient()
    {
    }

    static String request(final HostPort server, final String command, final int timeoutMs) throws IOException
    {
        return request(server, command, timeoutMs, null);
    }

    /**
     * @param server    the node's listener.
     * @param command   the admin command.
     * @param timeoutMs longest wait for each step.
     * @param secret    the secret to prove (the admin secret for commands that change state, else the cluster
     *                  secret), or null to offer none.
     * @return the answer text.
     * @throws IOException when the node is unreachable, refuses, or fails to prove the secret back.
     */
    static String request(final HostPort server, final String command, final int timeoutMs, final Secret secret)
        throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(server.host(), server.port()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final OutputStream out = socket.getOutputStream();
            final HandshakeInitiator initiator = new HandshakeInitiator(
                secret == null ? null : new AuthProof(secret.keys()), new SecureRandom());
            final int length = initiator.hello(buffer, 0, HelloFrame.ROLE_ADMIN, 0, 0, "msgc-console");
            out.write(buffer.byteArray(), 0, length);
            out.flush();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final StringBuilder answer = new StringBuilder();
            final AdminFrame admin = new AdminFrame();
            final WelcomeFrame welcome = new WelcomeFrame();
            boolean welcomed = false;
            while (true)
            {
                final byte[] frame = readFrame(in);
                final UnsafeBuffer view = new UnsafeBuffer(frame);
                final int type = FrameHeader.type(view, 0);
                if (type == FrameType.CHALLENGE && !welcomed)
                {
                    final int authLength = initiator.onChallenge(view, 0, frame.length, null, buffer, 0);
                    if (authLength < 0)
                    {
                        throw new IOException(server + ": " + initiator.failure());
                    }
                    out.write(buffer.byteArray(), 0, authLength);
                    out.flush();
                    continue;
                }
                if (type == FrameType.WELCOME && !welcomed)
                {
                    final String bad = welcome.wrap(view, 0, frame.length);
                    final String untrusted = bad != null ? "bad WELCOME: " + bad : initiator.checkWelcome(welcome);
                    if (untrusted != null)
                    {
                        throw new IOException(server + ": AUTH_FAILED: " + untrusted);
                    }
                    // the request goes only to a node that proved the secret (when this console has one)
                    welcomed = true;
                    final int requestLength = AdminFrame.encode(buffer, 0, FrameType.ADMIN_REQUEST, command);
                    out.write(buffer.byteArray(), 0, requestLength);
                    out.flush();
                    continue;
                }
                if (type == FrameType.ADMIN_RESPONSE && welcomed)
                {
                    // a long answer comes in several frames: all but the last carry FLAG_MORE
                    admin.wrap(view, 0, frame.length);
                    answer.append(admin.text());
                    if (!admin.more())
                    {
                        return answer.toString();
                    }
                    continue;
                }
                if (type == FrameType.REJECT || type == FrameType.ERROR)
                {
                    final ReasonFrame reason = new ReasonFrame();
                    final String bad = reason.wrap(view, 0, frame.length);
                    throw new IOException(server + " refused: " + (bad != null ? bad :
                        ErrorCode.name(reason.code()) + ": " + reason.reason()));
                }
            }
        }
    }

    static byte[] readFrame(final DataInputStream in) throws IOException
    {
        final byte[] header = new byte[FrameHeader.LENGTH];
        in.readFully(header);
        final int length = FrameHeader.frameLength(new UnsafeBuffer(header), 0);
        if (length < FrameHeader.LENGTH || length > (64 << 20))
        {
            throw new IOException("bad frame length " + length);
        }
        final byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, length - header.length);
        return frame;
    }
}
