package io.msgc.cli;

import io.msgc.conf.HostPort;
import io.msgc.wire.AdminFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.ReasonFrame;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A blocking admin-console connection: HELLO as admin, one request, one text answer (reassembled from its
 * frames). A REJECT or ERROR from the server becomes an {@link IOException} carrying its reason.
 */
final class AdminClient
{
    private AdminClient()
    {
    }

    static String request(final HostPort server, final String command, final int timeoutMs) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(server.host(), server.port()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final OutputStream out = socket.getOutputStream();
            int length = HelloFrame.encode(buffer, 0, HelloFrame.ROLE_ADMIN, 0, 0, "msgc-console");
            out.write(buffer.byteArray(), 0, length);
            length = AdminFrame.encode(buffer, 0, FrameType.ADMIN_REQUEST, command);
            out.write(buffer.byteArray(), 0, length);
            out.flush();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final StringBuilder answer = new StringBuilder();
            final AdminFrame admin = new AdminFrame();
            while (true)
            {
                final byte[] frame = readFrame(in);
                final UnsafeBuffer view = new UnsafeBuffer(frame);
                final int type = FrameHeader.type(view, 0);
                if (type == FrameType.ADMIN_RESPONSE)
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
                    reason.wrap(view, 0, frame.length);
                    throw new IOException(server + " refused: " + reason.reason());
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
