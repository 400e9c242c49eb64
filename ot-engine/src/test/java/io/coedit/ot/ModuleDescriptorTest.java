package io.coedit.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The library's module exports only its API and needs nothing at run time. */
class ModuleDescriptorTest {
    private final ModuleDescriptor module = ModuleFinder.of(Path.of("target", "classes"))
            .find("io.coedit.ot").orElseThrow().descriptor();

    @Test
    void exportsOnlyTheApiPackages() {
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("io.coedit.ot", "io.coedit.ot.json"), exported);
    }

    @Test
    void gsonIsTheOnlyDependencyAndOptional() {
        Set<String> required = module.requires().stream()
                .filter(r -> !r.name().equals("java.base"))
                .map(r -> r.name() + (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC) ? " static" : ""))
                .collect(Collectors.toSet());
        assertEquals(Set.of("com.google.gson static"), required);
    }
}
