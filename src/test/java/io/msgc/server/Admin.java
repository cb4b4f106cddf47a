package io.msgc.server;

import io.msgc.wire.AdminFrame;
import io.msgc.wire.AuthProof;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;

/**
 * Test helper: one admin request over a raw connection.
 */
final class Admin
{
    private Admin()
    {
    }

    static String request(final InetSocketAddress server, final String command)
    {
        return request(server, command, null);
    }

    /**
     * @param proof the secret to prove to a node that has one, or null.
     */
    static String request(final InetSocketAddress server, final String command, final AuthProof proof)
    {
        try (RawConnection c = new RawConnection(server))
        {
            final UnsafeBuffer welcome = c.handshake(HelloFrame.ROLE_ADMIN, "test", 0, 0, proof);
            if (FrameHeader.type(welcome, 0) != FrameType.WELCOME)
            {
                throw new AssertionError("refused: " + RawConnection.reason(welcome));
            }
            c.send(AdminFrame.encode(c.buffer, 0, FrameType.ADMIN_REQUEST, command));
            final StringBuilder answer = new StringBuilder();
            final AdminFrame admin = new AdminFrame();
            do
            {
                final UnsafeBuffer frame = c.readType(FrameType.ADMIN_RESPONSE, 2000);
                admin.wrap(frame, 0, frame.capacity());
                answer.append(admin.text());
            }
            while (admin.more());
            return answer.toString();
        }
        catch (final Exception ex)
        {
            throw new AssertionError("admin '" + command + "' to " + server + " failed: " + ex, ex);
        }
    }

    /**
     * @return bytes in + out of the link to {@code peer} as the admin table shows them.
     */
    static long linkBytes(final InetSocketAddress server, final String peer)
    {
        for (final String line : request(server, "peers").split("\n"))
        {
            final String[] cols = line.trim().split("\\s+");
            if (cols.length >= 7 && cols[0].equals(peer))
            {
                return Long.parseLong(cols[5]) + Long.parseLong(cols[6]);
            }
        }
        throw new AssertionError("no row for " + peer);
    }
}
