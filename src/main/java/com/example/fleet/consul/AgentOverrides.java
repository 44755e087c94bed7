package com.example.fleet.consul;

import com.example.fleet.consul.tls.TlsOverrides;
import java.util.Optional;

/**
 * How one Consul client reaches an agent other than the application's, or the same one otherwise: each part given
 * replaces one of the application's settings ({@code fleet.consul.*}), the parts left empty stay the
 * application's. Built from checked values (a store that does not open never gets here).
 *
 * @param host replaces the host of {@code fleet.consul.address}
 * @param port replaces its port
 * @param https replaces whether HTTPS is used ({@code https://} in the address, {@code fleet.consul.tls.enabled})
 * @param token replaces {@code fleet.consul.token} and {@code fleet.consul.token-file}
 */
public record AgentOverrides(Optional<String> host, Optional<Integer> port, Optional<Boolean> https,
        Optional<ConsulToken> token, TlsOverrides tls) {

    public static final AgentOverrides NONE = new AgentOverrides(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), TlsOverrides.NONE);
}
