package io.msgc.admin;

import io.msgc.conf.MsgcConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The option-by-option comparison a reload is decided on, and its answer text.
 */
class ReloadResultTest
{
    @Test
    void everyChangedServerOptionIsFoundClientOptionsAreNot() throws Exception
    {
        final MsgcConfig before = MsgcConfig.parse("a.conf", "msgc_server { peers = [ n1 = \"127.0.0.1\" ] }\n");
        final MsgcConfig after = MsgcConfig.parse("a.conf", "msgc_server {\n  debug_level = info\n" +
            "  peer_timeout_ms = 3000\n  peers = [ n1 = \"127.0.0.1\" ]\n}\n" +
            "msgcserver_listener { Listen \"127.0.0.1:4900\" { } Listen \"127.0.0.1:4901\" { } }\n" +
            "msgc_client { name = other }\n");
        final Map<String, String> options = ReloadResult.serverOptions(after);
        assertEquals("127.0.0.1:4900, 127.0.0.1:4901", options.get("msgcserver_listener.listen"));
        assertFalse(options.keySet().stream().anyMatch(k -> k.startsWith("msgc_client")));
        final List<ReloadResult.Change> changes = ReloadResult.diff(ReloadResult.serverOptions(before), options);
        assertEquals(List.of(
            new ReloadResult.Change("msgc_server.debug_level", "ERROR", "INFO"),
            new ReloadResult.Change("msgc_server.peer_timeout_ms", "1500", "3000"),
            new ReloadResult.Change("msgcserver_listener.listen", "(own peers entry)",
                "127.0.0.1:4900, 127.0.0.1:4901")), changes);
        assertTrue(ReloadResult.diff(options, options).isEmpty());
    }

    @Test
    void answerTextSaysWhatHappened()
    {
        final ReloadResult done = ReloadResult.done("x.conf",
            List.of(new ReloadResult.Change("msgc_server.debug_level", "ERROR", "INFO")),
            List.of(new ReloadResult.Change("msgc_server.port", "4809", "4810")));
        assertTrue(done.ok());
        assertEquals("reloaded x.conf: 1 applied, 1 need a restart\n" +
            "applied msgc_server.debug_level (ERROR -> INFO)\n" +
            "needs restart msgc_server.port (4809 -> 4810)\n", done.text());
        final ReloadResult failed = ReloadResult.failed("x.conf", List.of("x.conf:2:3: unknown option 'prot'"));
        assertFalse(failed.ok());
        assertTrue(failed.text().startsWith("error: reload of x.conf failed with 1 error(s); nothing changed"),
            failed.text());
        assertTrue(failed.text().contains("x.conf:2:3: unknown option 'prot'\n"), failed.text());
    }
}
