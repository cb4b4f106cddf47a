package io.msgc.bench.rig;

import org.HdrHistogram.Histogram;

/**
 * What one scenario measured on one system.
 *
 * @param scenario   what ran.
 * @param system     the system under test.
 * @param histogram  latency in ns from send time to receipt (round trip for RTT), measured window only.
 * @param sent       messages sent in the measured window.
 * @param delivered  deliveries in the measured window (round trips for RTT; summed over fan-out subscribers).
 * @param msgPerSec  deliveries per second in the measured window.
 * @param failure    null when the run met its rate with no loss and no duplicate, else why it failed.
 */
record RunResult(
    Scenario scenario, Sut system, Histogram histogram, long sent, long delivered, double msgPerSec, String failure)
{
    /**
     * @return payload megabytes (10^6) per second delivered.
     */
    double megabytesPerSec()
    {
        return msgPerSec * scenario.size() / 1e6;
    }
}
