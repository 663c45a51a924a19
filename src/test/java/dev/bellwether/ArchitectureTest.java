package dev.bellwether;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package stack as the README's architecture map draws it: no cycles between packages, pure cores with no
 * framework in them, and the beacon endpoint an edge that nothing else stands on.
 */
@AnalyzeClasses(packages = "dev.bellwether", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** Frameworks, containers and I/O libraries; Jackson's annotations (wire names of values) are not among them. */
    private static final String[] FRAMEWORKS = {"io.quarkus..", "io.smallrye..", "io.vertx..", "io.micrometer..",
            "io.agroal..", "jakarta..", "org.hibernate..", "org.jboss..", "org.eclipse.microprofile..",
            "com.fasterxml.jackson.databind..", "io.getunleash..", "java.sql..", "java.net.."};

    @ArchTest
    static final ArchRule packagesFormNoCycle = slices().matching("dev.bellwether.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule judgeIsPure = noClasses().that().resideInAPackage("dev.bellwether.judge..")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS);

    @ArchTest
    static final ArchRule rolloutMachineIsPure = noClasses().that()
            .haveNameMatching("dev\\.bellwether\\.rollout\\.(RolloutMachine|RolloutState|Trigger)(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS);

    @ArchTest
    static final ArchRule sloMathIsPure = noClasses().that()
            .haveNameMatching("dev\\.bellwether\\.slo\\.(SloJudge|SloSeries|SloState|SloVerdict|BurnWindow|AlertCondition"
                    + "|GoodValid|Evidence|SloSpec)(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS);

    @ArchTest
    static final ArchRule sessionLifetimeIsPure = noClasses().that()
            .haveNameMatching("dev\\.bellwether\\.console\\.SessionLifetime(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS);

    /** The console is the top of the stack: it reads and commands through the other packages, none uses it. */
    @ArchTest
    static final ArchRule consoleIsAnEdge = classes().that().resideInAPackage("dev.bellwether.console..")
            .should().onlyHaveDependentClassesThat().resideInAPackage("dev.bellwether.console..");

    @ArchTest
    static final ArchRule ingestIsAnEdge = classes().that().resideInAPackage("dev.bellwether.ingest..")
            .should().onlyHaveDependentClassesThat().resideInAPackage("dev.bellwether.ingest..");

    @ArchTest
    static final ArchRule ingestDoesNotSteerRollouts = noClasses().that().resideInAPackage("dev.bellwether.ingest..")
            .should().dependOnClassesThat().resideInAPackage("dev.bellwether.rollout..");
}
