package io.msgc.server;

/**
 * What the server counts, read by the admin console. Written by the server thread only.
 */
final class ServerCounters
{
    long messagesFromClients;
    long messagesFromPeers;
    long deliveries;
    long peerForwards;
    long droppedUnreliable;
    long slowConsumers;
    long protocolErrors;
    long clientsAccepted;
    long clientsRejected;
    long handshakesRefused;
    long bufferMemory;
    long bufferMemoryRefusals;

    String describe()
    {
        return "messages-from-clients " + messagesFromClients + "\n" +
            "messages-from-peers " + messagesFromPeers + "\n" +
            "deliveries " + deliveries + "\n" +
            "peer-forwards " + peerForwards + "\n" +
            "dropped-unreliable " + droppedUnreliable + "\n" +
            "slow-consumers " + slowConsumers + "\n" +
            "protocol-errors " + protocolErrors + "\n" +
            "clients-accepted " + clientsAccepted + "\n" +
            "clients-rejected " + clientsRejected + "\n" +
            "handshakes-refused " + handshakesRefused + "\n" +
            "buffer-memory " + bufferMemory + "\n" +
            "buffer-memory-refusals " + bufferMemoryRefusals + "\n";
    }
}
