package io.msgc.server;

import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.RawConnection;
import io.msgc.wire.ReasonFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 #6: a group whose view would not fit in {@code max_frame_size} refuses the join that would make it so,
 * with a reason; the members already in keep getting whole, well-formed views, and the server stays up.
 */
class ViewSizeLimitTest
{
    @Test
    void aJoinThatWouldMakeTheViewTooLargeIsRefusedAndNobodyElseIsHurt() throws Exception
    {
        try (Cluster cluster = new Cluster(1, b -> b.maxFrameSize(1024)).startAll())
        {
            final List<RawConnection> members = new ArrayList<>();
            try
            {
                int joined = 0;
                String refusal = null;
                for (int i = 0; i < 40 && refusal == null; i++)
                {
                    // 31-character private names: about 40 bytes per member in a view
                    final RawConnection m = new RawConnection(cluster.address(1));
                    members.add(m);
                    m.hello(HelloFrame.ROLE_CLIENT, String.format("member-%02d-", i) + "x".repeat(21));
                    m.readType(FrameType.WELCOME, 2000);
                    m.send(GroupOpFrame.encode(m.buffer, 0, FrameType.JOIN, 100 + i, "big"));
                    final UnsafeBuffer answer = m.read(2000);
                    if (FrameHeader.type(answer, 0) == FrameType.ERROR)
                    {
                        final ReasonFrame error = new ReasonFrame();
                        assertNull(error.wrap(answer, 0, FrameHeader.frameLength(answer, 0)));
                        assertEquals(ErrorCode.LIMIT_EXCEEDED, error.code());
                        assertEquals(100 + i, error.correlation());
                        refusal = error.reason();
                    }
                    else
                    {
                        assertEquals(FrameType.MEMBERSHIP, FrameHeader.type(answer, 0));
                        joined++;
                    }
                }
                assertTrue(refusal != null && refusal.startsWith("JOIN refused: group 'big' would have a view " +
                    "larger than max_frame_size=1024 bytes (" + joined + " members)"), String.valueOf(refusal));
                assertTrue(joined > 10, "joined " + joined);
                // the members in the group saw every join as a whole, valid view of at most 1024 bytes
                final MembershipFrame view = new MembershipFrame();
                for (int i = 0; i < joined - 1; i++)
                {
                    UnsafeBuffer last = null;
                    for (int k = i + 1; k < joined; k++)
                    {
                        last = members.get(i).readType(FrameType.MEMBERSHIP, 2000);
                    }
                    final int length = FrameHeader.frameLength(last, 0);
                    assertTrue(length <= 1024, "view of " + length + " bytes");
                    assertNull(view.wrap(last, 0, length));
                    assertEquals(joined, view.memberCount());
                }
                assertTrue(Admin.request(cluster.address(1), "groups").contains("big " + joined + " ["));
            }
            finally
            {
                for (final RawConnection m : members)
                {
                    m.close();
                }
            }
        }
    }
}
