package dev.bellwether;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.support.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service started as the README starts it, {@code java @jvm.options -jar ...}, runs with every option of
 * the shipped file: the launcher reads the file, comments and all, and the JVM accepts each option.
 */
class JvmOptionsIT {

    @Test
    void theServiceRunsWithTheShippedOptions() throws Exception {
        List<String> shipped = Files.readAllLines(ServiceProcess.JVM_OPTIONS).stream()
                .map(line -> line.replaceAll("#.*", "").trim()).filter(line -> !line.isEmpty()).toList();
        assertThat(shipped).as("options in %s", ServiceProcess.JVM_OPTIONS).anyMatch(o -> o.startsWith("-Xmx"));

        Path data = Files.createTempDirectory(Path.of("target"), "jvm-options-data");
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", "jvm-options-admin"))) {
            service.start();
            String jvmArguments = jcmd(service.pid(), "VM.command_line").lines()
                    .filter(line -> line.startsWith("jvm_args:")).findFirst().orElseThrow();
            assertThat(List.of(jvmArguments.substring("jvm_args:".length()).trim().split("\\s+")))
                    .containsAll(shipped);
        }
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).as("jcmd answered").isTrue();
        assertThat(jcmd.exitValue()).as(output).isZero();
        return output;
    }
}
