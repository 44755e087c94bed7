package com.example.fleet.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void aRefusedConnectionIsRecognisedThroughAnyWrapping() throws IOException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        IOException refused = null;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), closedPort)) {
            // nothing listens there any more
        } catch (IOException e) {
            refused = e;
        }

        assertThat(refused).isInstanceOf(ConnectException.class);
        assertThat(Failures.couldNotConnect(refused)).isTrue();
        assertThat(Failures.couldNotConnect(new RuntimeException("wrapped by a client", refused))).isTrue();
    }

    @Test
    void failuresAfterConnectingAreNotConnectFailures() {
        assertThat(Failures.couldNotConnect(new IOException("Connection reset by peer"))).isFalse();
        assertThat(Failures.couldNotConnect(new TimeoutException())).isFalse();
        assertThat(Failures.couldNotConnect(new RuntimeException("no cause"))).isFalse();
    }

    @Test
    void aCauseCycleEndsTheSearch() {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);

        assertThat(Failures.couldNotConnect(first)).isFalse();
    }
}
