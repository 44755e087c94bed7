package com.example.fleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.example.fleet.registration.RegistrationSettings;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.WithDefault;

/**
 * Invariants of the Kustomize manifests in {@code kubernetes/}: graceful shutdown within the grace period, the
 * replica count left to the elected leader, locked-down pods, and exactly the permissions the kubernetes actuator
 * uses. {@code base} is read file by file, as its kustomization lists them, so it is checked on every machine;
 * the overlays are rendered with {@code kubectl kustomize} and skipped where kubectl is not on the PATH.
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("kubernetes");
    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Duration RENDER_TIMEOUT = Duration.ofSeconds(60);
    /** After the drain: leaving Consul (a few requests) and the JVM's exit, before the kubelet's SIGKILL. */
    private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(5);

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Properties APPLICATION = load(APPLICATION_PROPERTIES);
    private static final String SERVICE = APPLICATION.getProperty("quarkus.application.name");
    private static final Optional<Path> KUBECTL = onPath("kubectl");
    private static final Map<String, Rendering> RENDERED = new ConcurrentHashMap<>();

    @TempDir
    static Path renderings;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void theDeploymentIsTheActuatorsTargetAndLeavesTheReplicaCountToTheLeader(String source) {
        Deployment deployment = deployment(manifests(source));
        assertThat(deployment.getSpec().getReplicas())
                .as("spec.replicas: every kubectl apply would reset the count the leader set").isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void probesAskSmallRyeHealthOnTheHttpPort(String source) {
        Container app = app(deployment(manifests(source)));
        assertThat(app.getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getContainerPort()).isEqualTo(8080);
        });
        assertHttpGet(app.getReadinessProbe(), "readiness", "/q/health/ready");
        assertHttpGet(app.getLivenessProbe(), "liveness", "/q/health/live");
        assertHttpGet(app.getStartupProbe(), "startup (keeps liveness off a starting JVM)", "/q/health/started");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void theGracePeriodCoversPreStopShutdownDelayAndDrain(String source) {
        PodSpec pod = podSpec(deployment(manifests(source)));
        Container app = app(pod);
        assertThat(app.getLifecycle()).as("lifecycle").isNotNull();
        assertThat(app.getLifecycle().getPreStop()).as("preStop hook").isNotNull();
        assertThat(app.getLifecycle().getPreStop().getSleep()).as("preStop sleep action").isNotNull();
        Duration preStop = Duration.ofSeconds(app.getLifecycle().getPreStop().getSleep().getSeconds());
        assertThat(preStop).as("preStop sleep").isPositive();

        Duration leave = leaveTimeout();
        Duration delay = quarkusDuration("quarkus.shutdown.delay");
        Duration timeout = quarkusDuration("quarkus.shutdown.timeout");
        Duration needed = preStop.plus(leave).plus(delay).plus(timeout).plus(SHUTDOWN_MARGIN);
        assertThat(pod.getTerminationGracePeriodSeconds()).as("terminationGracePeriodSeconds").isNotNull();
        assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()))
                .as("terminationGracePeriodSeconds must cover preStop %s + fleet.registration.leave-timeout %s"
                        + " + quarkus.shutdown.delay %s + quarkus.shutdown.timeout %s + margin %s", preStop, leave,
                        delay, timeout, SHUTDOWN_MARGIN)
                .isGreaterThanOrEqualTo(needed);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void registersWithItsPodIpAndScalesItsOwnDeployment(String source) {
        List<EnvVar> env = app(deployment(manifests(source))).getEnv();
        assertThat(env(env, "FLEET_REGISTRATION_ADDRESS").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("status.podIP");
        assertThat(env(env, "FLEET_SCALING_ACTUATOR").getValue()).isEqualTo("kubernetes");
        assertThat(env(env, "FLEET_ZONE").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.labels['topology.kubernetes.io/zone']");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void runsAsALockedDownNonRootContainerWithResources(String source) {
        PodSpec pod = podSpec(deployment(manifests(source)));
        Container app = app(pod);

        assertThat(effective(pod, SecurityContext::getRunAsNonRoot, PodSecurityContext::getRunAsNonRoot))
                .as("runAsNonRoot").isTrue();
        assertThat(effective(pod, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser))
                .as("numeric runAsUser (runAsNonRoot cannot check a named image user)").isNotNull().isPositive();
        String seccomp = effective(pod, c -> c.getSeccompProfile() == null ? null : c.getSeccompProfile().getType(),
                p -> p.getSeccompProfile() == null ? null : p.getSeccompProfile().getType());
        assertThat(seccomp).as("seccompProfile").isEqualTo("RuntimeDefault");
        assertThat(app.getSecurityContext()).as("container securityContext").isNotNull();
        assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem").isTrue();
        assertThat(app.getSecurityContext().getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation").isFalse();
        assertThat(app.getSecurityContext().getCapabilities().getDrop()).as("capabilities dropped").contains("ALL");

        VolumeMount tmp = app.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals("/tmp"))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at /tmp, where Vert.x caches"));
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + tmp.getName()));
        assertThat(volume.getEmptyDir()).as("/tmp is an emptyDir").isNotNull();

        assertThat(app.getResources().getRequests()).as("requests").containsKeys("cpu", "memory");
        assertThat(app.getResources().getLimits()).as("limits").containsKey("memory");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void rolloutsNeverShrinkTheFleet(String source) {
        Deployment deployment = deployment(manifests(source));
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
                .as("maxUnavailable").isZero();
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal())
                .as("maxSurge").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void theRoleGrantsExactlyWhatTheKubernetesActuatorUses(String source) {
        List<HasMetadata> manifests = manifests(source);
        Deployment deployment = deployment(manifests);
        String account = podSpec(deployment).getServiceAccountName();
        assertThat(account).as("serviceAccountName").isNotBlank().isNotEqualTo("default");
        assertThat(only(manifests, ServiceAccount.class).getMetadata().getName()).isEqualTo(account);
        assertThat(all(manifests, ClusterRole.class)).as("cluster-wide roles").isEmpty();
        assertThat(all(manifests, ClusterRoleBinding.class)).as("cluster-wide bindings").isEmpty();

        Role role = only(manifests, Role.class);
        String name = deployment.getMetadata().getName();
        // fabric8 7.5: scale() GETs deployments/<name>/scale, scale(n) GETs and PUTs it then GETs the Deployment;
        // pods().withName(n).edit(...) GETs the pod and PATCHes it; the actuator lists pods to find its victims
        assertThat(role.getRules().stream().map(Rule::of)).containsExactlyInAnyOrder(
                new Rule(Set.of("apps"), Set.of("deployments/scale"), Set.of(name), Set.of("get", "update")),
                new Rule(Set.of("apps"), Set.of("deployments"), Set.of(name), Set.of("get")),
                new Rule(Set.of(""), Set.of("pods"), Set.of(), Set.of("get", "list", "patch")));

        RoleBinding binding = only(manifests, RoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(account);
            // none means the binding's own namespace, the one the Deployment shares
            assertThat(subject.getNamespace()).isIn(null, deployment.getMetadata().getNamespace());
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "base", "dev", "prod" })
    void theServiceAndTheDisruptionBudgetSelectTheFleetsPods(String source) {
        List<HasMetadata> manifests = manifests(source);
        Deployment deployment = deployment(manifests);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        Service service = named(manifests, Service.class, SERVICE);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(8080);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
        });

        PodDisruptionBudget budget = only(manifests, PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).as("maxUnavailable").isEqualTo(1);
    }

    @Test
    void prodUsesItsNodesConsulAgentWithATokenFileFromASecretThatIsNotCommitted() {
        List<HasMetadata> prod = manifests("prod");
        List<EnvVar> env = app(deployment(prod)).getEnv();

        EnvVar hostIp = env(env, "HOST_IP");
        assertThat(hostIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
        assertThat(env(env, "CONSUL_HTTP_ADDR").getValue()).isEqualTo("$(HOST_IP):8500");
        assertThat(env.indexOf(hostIp)).as("HOST_IP is defined before the variable that refers to it")
                .isLessThan(env.indexOf(env(env, "CONSUL_HTTP_ADDR")));

        // the token as a file from a Secret volume, which Kubernetes updates in running pods: rotation without restart
        assertThat(env).extracting(EnvVar::getName).doesNotContain("CONSUL_HTTP_TOKEN");
        String tokenFile = env(env, "CONSUL_HTTP_TOKEN_FILE").getValue();
        VolumeMount mount = app(deployment(prod)).getVolumeMounts().stream()
                .filter(m -> tokenFile.startsWith(m.getMountPath() + "/")).findFirst().orElseThrow();
        assertThat(mount.getSubPath()).as("a subPath mount is never updated").isNull();
        Volume volume = deployment(prod).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isNotBlank();
        assertThat(volume.getSecret().getOptional()).as("optional Secret").isNotEqualTo(Boolean.TRUE);
        assertThat(volume.getSecret().getItems()).anySatisfy(item -> assertThat(tokenFile)
                .isEqualTo(mount.getMountPath() + "/" + item.getPath()));
        assertThat(all(prod, Secret.class)).as("Secrets with data in the committed manifests")
                .allSatisfy(secret -> {
                    assertThat(secret.getData()).isNullOrEmpty();
                    assertThat(secret.getStringData()).isNullOrEmpty();
                });
    }

    @Test
    void devRunsItsOwnConsulServerAndTheLocallyBuiltImage() {
        List<HasMetadata> dev = manifests("dev");
        List<PodTemplateSpec> consuls = dev.stream().map(KubernetesManifestsTest::podTemplate).flatMap(Optional::stream)
                .filter(template -> template.getSpec().getContainers().stream()
                        .anyMatch(container -> container.getImage().startsWith("hashicorp/consul:")))
                .toList();
        assertThat(consuls).as("Consul workloads").hasSize(1);
        Map<String, String> consulLabels = consuls.get(0).getMetadata().getLabels();

        Service consul = all(dev, Service.class).stream()
                .filter(service -> consulLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()))
                .findFirst().orElseThrow(() -> new AssertionError("no Service selects the Consul pods"));
        ServicePort api = consul.getSpec().getPorts().stream().filter(port -> port.getPort() == 8500).findFirst()
                .orElseThrow(() -> new AssertionError("Service " + consul.getMetadata().getName() + " lacks 8500"));

        Container app = app(deployment(dev));
        assertThat(env(app.getEnv(), "CONSUL_HTTP_ADDR").getValue())
                .isEqualTo(consul.getMetadata().getName() + ":" + api.getPort());
        assertThat(app.getImagePullPolicy()).as("the locally built image is never pulled").isEqualTo("IfNotPresent");
    }

    /** A rule as a value: the order of its lists means nothing, and an absent list is an empty one. */
    record Rule(Set<String> apiGroups, Set<String> resources, Set<String> resourceNames, Set<String> verbs) {

        static Rule of(PolicyRule rule) {
            return new Rule(set(rule.getApiGroups()), set(rule.getResources()), set(rule.getResourceNames()),
                    set(rule.getVerbs()));
        }

        private static Set<String> set(List<String> values) {
            return values == null ? Set.of() : Set.copyOf(values);
        }
    }

    /** An overlay's objects, or why there are none: a kubectl that hangs costs its timeout once, not per test. */
    private record Rendering(List<HasMetadata> manifests, String failure) {
    }

    private static List<HasMetadata> manifests(String source) {
        if (source.equals("base")) {
            return baseFiles();
        }
        assumeTrue(KUBECTL.isPresent(), () -> "kubectl is not on the PATH: overlay '" + source
                + "' is not rendered and its checks are skipped (the base files are checked without it)");
        Rendering rendering = RENDERED.computeIfAbsent(source, KubernetesManifestsTest::render);
        if (rendering.failure() != null) {
            fail(rendering.failure());
        }
        return rendering.manifests();
    }

    /** What kubectl would render of the base alone: the files its kustomization lists, as they are. */
    private static List<HasMetadata> baseFiles() {
        Path base = MANIFESTS.resolve("base");
        GenericKubernetesResource kustomization = SERIALIZATION.unmarshal(read(base.resolve("kustomization.yaml")),
                GenericKubernetesResource.class);
        List<String> resources = kustomization.get("resources");
        assertThat(resources).as("resources of the base kustomization").isNotEmpty();
        return resources.stream().flatMap(file -> parse(read(base.resolve(file))).stream()).toList();
    }

    private static Rendering render(String overlay) {
        Path output = renderings.resolve(overlay + ".yaml");
        Path errors = renderings.resolve(overlay + ".err");
        Path directory = MANIFESTS.resolve("overlays").resolve(overlay);
        try {
            Process kubectl = new ProcessBuilder(KUBECTL.orElseThrow().toString(), "kustomize", directory.toString())
                    .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
            if (!kubectl.waitFor(RENDER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kubectl.destroyForcibly();
                return new Rendering(List.of(), "kubectl kustomize " + directory + " did not finish within "
                        + RENDER_TIMEOUT.toSeconds() + " s");
            }
            if (kubectl.exitValue() != 0) {
                return new Rendering(List.of(), "kubectl kustomize " + directory + " failed: " + read(errors));
            }
            return new Rendering(parse(read(output)), null);
        } catch (IOException e) {
            return new Rendering(List.of(), "kubectl kustomize " + directory + " could not run: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + directory, e);
        }
    }

    /** One document gives one resource, several give a list. */
    private static List<HasMetadata> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        List<?> resources = parsed instanceof List<?> list ? list : List.of(parsed);
        return resources.stream().map(HasMetadata.class::cast).toList();
    }

    private static Deployment deployment(List<HasMetadata> manifests) {
        return named(manifests, Deployment.class, SERVICE);
    }

    private static PodSpec podSpec(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    private static Container app(Deployment deployment) {
        return app(podSpec(deployment));
    }

    private static Container app(PodSpec pod) {
        return pod.getContainers().stream().filter(container -> container.getName().equals(SERVICE)).findFirst()
                .orElseThrow(() -> new AssertionError("no container named " + SERVICE));
    }

    private static Optional<PodTemplateSpec> podTemplate(HasMetadata workload) {
        if (workload instanceof Deployment deployment) {
            return Optional.of(deployment.getSpec().getTemplate());
        }
        if (workload instanceof StatefulSet statefulSet) {
            return Optional.of(statefulSet.getSpec().getTemplate());
        }
        return Optional.empty();
    }

    private static EnvVar env(List<EnvVar> env, String name) {
        return env.stream().filter(variable -> variable.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no environment variable " + name));
    }

    private static void assertHttpGet(Probe probe, String what, String path) {
        assertThat(probe).as(what + " probe").isNotNull();
        assertThat(probe.getHttpGet()).as(what + " probe httpGet").isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(what + " probe path").isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(what + " probe port").isEqualTo("http");
    }

    /** The container's setting where it has one, else the pod's, as the kubelet applies them. */
    private static <T> T effective(PodSpec pod, Function<SecurityContext, T> ofContainer,
            Function<PodSecurityContext, T> ofPod) {
        return Optional.ofNullable(app(pod).getSecurityContext()).map(ofContainer)
                .or(() -> Optional.ofNullable(pod.getSecurityContext()).map(ofPod)).orElse(null);
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> manifests, Class<T> kind) {
        return manifests.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> manifests, Class<T> kind) {
        List<T> found = all(manifests, kind);
        assertThat(found).as(kind.getSimpleName() + " objects").hasSize(1);
        return found.get(0);
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> manifests, Class<T> kind, String name) {
        return all(manifests, kind).stream().filter(object -> object.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " named " + name));
    }

    /** Parsed as Quarkus parses it, so "2s", "500ms" and "PT2S" all mean what they mean to the application. */
    /** The longest time leaving Consul blocks the shutdown: its documented default, unless the properties set it. */
    private static Duration leaveTimeout() {
        String configured = APPLICATION.getProperty("fleet.registration.leave-timeout");
        if (configured != null) {
            return DurationConverter.parseDuration(configured.trim());
        }
        try {
            return DurationConverter.parseDuration(RegistrationSettings.class.getMethod("leaveTimeout")
                    .getAnnotation(WithDefault.class).value());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Duration quarkusDuration(String key) {
        String value = APPLICATION.getProperty(key);
        assertThat(value).as(key + " in " + APPLICATION_PROPERTIES).isNotBlank();
        return DurationConverter.parseDuration(value.trim());
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(directory -> !directory.isBlank())
                .flatMap(directory -> Stream.of(command, command + ".exe").map(name -> Path.of(directory, name)))
                .filter(Files::isExecutable).findFirst();
    }

    private static Properties load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
