package com.example.fleet.discovery;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.example.fleet.consul.AgentOverrides;
import com.example.fleet.consul.ConsulToken;
import com.example.fleet.consul.tls.TlsOverrides;
import com.example.fleet.consul.tls.TlsStore;

/**
 * Stork's attributes for the Consul agent a discovery talks to. Each one given replaces one of the application's
 * settings ({@code fleet.consul.*}) for this discovery alone; without any, the discovery talks to the application's
 * agent as everything else does.
 */
final class AgentAttributes {

    static final String HOST = "consul-host";
    static final String PORT = "consul-port";
    static final String SSL = "ssl";
    static final String ACL_TOKEN = "acl-token";
    static final String TRUST_STORE = "trust-store-path";
    static final String TRUST_STORE_PASSWORD = "trust-store-password";
    static final String KEY_STORE = "key-store-path";
    static final String KEY_STORE_PASSWORD = "key-store-password";
    static final String VERIFY_HOST = "verify-host";
    /** The attributes that only matter over HTTPS. */
    private static final List<String> TLS = List.of(TRUST_STORE, TRUST_STORE_PASSWORD, KEY_STORE, KEY_STORE_PASSWORD,
            VERIFY_HOST);

    private AgentAttributes() {
    }

    /**
     * @throws IllegalArgumentException naming the property, for a value that cannot work (a port out of range, a
     *         store that does not open)
     */
    static AgentOverrides read(GivenAttributes given, List<AttributeNotice> notices) {
        passwordWithoutStore(given, TRUST_STORE_PASSWORD, TRUST_STORE, notices);
        passwordWithoutStore(given, KEY_STORE_PASSWORD, KEY_STORE, notices);
        Optional<TlsStore> trust = given.text(TRUST_STORE).map(file -> TlsStore.trust(Path.of(file),
                given.text(TRUST_STORE_PASSWORD).orElse(""), given.property(TRUST_STORE)));
        Optional<TlsStore> keys = given.text(KEY_STORE).map(file -> TlsStore.keys(Path.of(file),
                given.text(KEY_STORE_PASSWORD).orElse(""), given.property(KEY_STORE)));
        return new AgentOverrides(given.host(HOST), given.port(PORT), given.flag(SSL),
                given.text(ACL_TOKEN).map(token -> ConsulToken.fixed(token, given.property(ACL_TOKEN))),
                new TlsOverrides(trust, keys, given.flag(VERIFY_HOST)));
    }

    /** Over plain HTTP, the TLS attributes given do nothing: each is named. */
    static void withoutHttps(GivenAttributes given, List<AttributeNotice> notices) {
        TLS.stream().filter(attribute -> given.text(attribute).isPresent()).forEach(attribute -> notices.add(
                AttributeNotice.warning(attribute, given.property(attribute) + " has no effect: this discovery talks"
                        + " to Consul over plain HTTP; set " + given.property(SSL) + "=true (or give the"
                        + " application's agent as https://), or remove it")));
    }

    private static void passwordWithoutStore(GivenAttributes given, String password, String store,
            List<AttributeNotice> notices) {
        if (given.text(password).isPresent() && given.text(store).isEmpty()) {
            notices.add(AttributeNotice.warning(password, given.property(password) + " has no effect without "
                    + given.property(store) + ": give the store's path, or remove the password"));
        }
    }
}
