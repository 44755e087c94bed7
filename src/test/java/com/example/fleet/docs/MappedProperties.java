package com.example.fleet.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappingInterface;

/**
 * The {@code fleet.*} properties the application reads, found in its compiled classes: every property of its
 * {@code @ConfigMapping} interfaces (as SmallRye Config names them) and every {@code @ConfigProperty} injection,
 * each with the default the code declares, if any.
 */
final class MappedProperties {

    private static final Path CLASSES = Path.of("target", "classes");
    private static final String PREFIX = "fleet.";

    private MappedProperties() {
    }

    /** Property name to its declared default (empty: none declared). */
    static Map<String, Optional<String>> read() {
        Map<String, Optional<String>> found = new TreeMap<>();
        for (Class<?> type : classes()) {
            ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
            if (type.isInterface() && mapping != null && mapping.prefix().startsWith(PREFIX)) {
                ConfigMappingInterface.getProperties(ConfigMappingInterface.getConfigurationInterface(type))
                        .getOrDefault(type, Map.of()).getOrDefault("", Map.of())
                        .forEach((name, property) -> {
                            // a list's elements (tags[*]) are named by the list itself
                            if (!name.endsWith("[*]")) {
                                found.put(mapping.prefix() + "." + name, property.hasDefaultValue()
                                        ? Optional.of(property.getDefaultValue()) : Optional.empty());
                            }
                        });
            }
            injections(type).forEach(injected -> {
                if (injected.name().startsWith(PREFIX)) {
                    found.put(injected.name(), ConfigProperty.UNCONFIGURED_VALUE.equals(injected.defaultValue())
                            ? Optional.empty() : Optional.of(injected.defaultValue()));
                }
            });
        }
        return found;
    }

    private static List<ConfigProperty> injections(Class<?> type) {
        List<AnnotatedElement> elements = new ArrayList<>(List.of(type.getDeclaredFields()));
        List<Executable> executables = new ArrayList<>(List.of(type.getDeclaredConstructors()));
        executables.addAll(List.of(type.getDeclaredMethods()));
        for (Executable executable : executables) {
            for (Parameter parameter : executable.getParameters()) {
                elements.add(parameter);
            }
        }
        return elements.stream().map(element -> element.getAnnotation(ConfigProperty.class))
                .filter(annotation -> annotation != null).toList();
    }

    private static List<Class<?>> classes() {
        try (Stream<Path> files = Files.walk(CLASSES)) {
            return files.filter(file -> file.toString().endsWith(".class"))
                    .map(file -> CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .map(MappedProperties::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, MappedProperties.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("cannot load " + name + " from target/classes", e);
        }
    }
}
