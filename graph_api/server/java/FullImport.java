package citekb.neo4j;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import org.neo4j.batchimport.api.Configuration;
import org.neo4j.batchimport.api.input.Collector;
import org.neo4j.batchimport.api.input.Input;
import org.neo4j.batchimport.api.input.PropertySizeCalculator;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.Config;
import org.neo4j.importer.ImportCommand;
import org.neo4j.io.fs.FileSystemAbstraction;
import org.neo4j.io.layout.DatabaseLayout;
import org.neo4j.io.pagecache.context.CursorContextFactory;
import org.neo4j.io.pagecache.tracing.PageCacheTracer;
import org.neo4j.logging.InternalLogProvider;
import org.neo4j.logging.internal.LogService;
import org.neo4j.memory.MemoryTracker;
import org.neo4j.scheduler.JobScheduler;
import picocli.CommandLine;

/**
 * citekb's entry point for a full CSV import: Neo4j's own {@code neo4j-admin database import full}
 * command, with the batch importer's background page-cache flushing turned off and its input
 * estimate sizing the properties of one sampled row in eight ({@link #withSampledPropertySizes}).
 *
 * <p>It is {@link ImportCommand.Full} itself (same options, checks, output and exit codes, so
 * {@code graph_api/server/neo4j_import.py} reads its report as it reads neo4j-admin's), run from a
 * command line that holds only this command instead of all of {@code AdminTool}'s. One method is
 * overridden: the step that hands the configuration and the input to the batch importer, which
 * gets the tool's configuration with {@code sequentialBackgroundFlushing()} answering false, and
 * the tool's input with a cheaper estimate.
 *
 * <p>Why: with it on, a thread ("PageCacheFlusher") calls {@code flushAndForce} on the whole page
 * cache in a loop, with no pause, for as long as the node and relationship stages run: about
 * 15,000 {@code fdatasync} calls and an eighth of the process's CPU in one import of 100k papers.
 * That pays off when the store outgrows the page cache on a disk that wants one sequential
 * writer; on a 2-core machine it takes a core's share from the import's two workers. With it
 * off, pages are written when the page cache evicts them or at the end, when the importer
 * flushes and forces every store before it reports success, as it does with it on. Nothing
 * neo4j-admin offers turns it off. Measured figures are in {@code bench/BENCHMARKS.md}.
 */
public final class FullImport extends ImportCommand.Full {
    FullImport(ExecutionContext ctx) {
        super(ctx);
    }

    @Override
    protected void doImport(
            FileSystemAbstraction fileSystem,
            DatabaseLayout databaseLayout,
            Config databaseConfig,
            JobScheduler jobScheduler,
            InternalLogProvider logProvider,
            PageCacheTracer pageCacheTracer,
            CursorContextFactory contextFactory,
            Configuration importConfig,
            LogService logService,
            PrintStream stdOut,
            PrintStream stdErr,
            boolean verbose,
            Collector badCollector,
            MemoryTracker memoryTracker,
            Input input)
            throws IOException {
        stdOut.println("Background page-cache flushing: off (citekb)");
        super.doImport(
                fileSystem,
                databaseLayout,
                databaseConfig,
                jobScheduler,
                logProvider,
                pageCacheTracer,
                contextFactory,
                withoutBackgroundFlushing(importConfig),
                logService,
                stdOut,
                stdErr,
                verbose,
                badCollector,
                memoryTracker,
                withSampledPropertySizes(input));
    }

    /** Of the rows the input estimate samples, the property sizes of every this many are computed. */
    static final int SIZE_EVERY = 8;

    /**
     * The input, with its estimate sizing the properties of one sampled row in {@link #SIZE_EVERY}.
     *
     * <p>Before its first stage the importer samples the first MiB of every input file, on one
     * thread, mostly interpreted, and sizes each sampled row's properties by encoding them into
     * property records. The sizes feed only its heap advice and progress display (the store is
     * laid out as it writes); the row and property counts of the estimate stay whole.
     */
    static Input withSampledPropertySizes(Input input) {
        return (Input) Proxy.newProxyInstance(
                Input.class.getClassLoader(),
                new Class<?>[] {Input.class},
                (proxy, method, args) -> {
                    Object[] forwarded = args;
                    if (method.getName().equals("validateAndEstimate")
                            && args != null
                            && args.length == 1
                            && args[0] instanceof PropertySizeCalculator sizes) {
                        forwarded = new Object[] {sampled(sizes)};
                    }
                    try {
                        return method.invoke(input, forwarded);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * {@code sizes} on one call in {@link #SIZE_EVERY}, repeated for the calls between.
     *
     * <p>The last size rather than a running mean: the estimate extrapolates each file on its own,
     * and its rows come file by file, so only the first rows of a file can get the previous
     * file's size.
     */
    static PropertySizeCalculator sampled(PropertySizeCalculator sizes) {
        long[] calls = {0};
        int[] last = {0};
        return (values, cursorContext, memoryTracker) -> {
            if (calls[0]++ % SIZE_EVERY == 0) {
                last[0] = sizes.calculateSize(values, cursorContext, memoryTracker);
            }
            return last[0];
        };
    }

    /**
     * The tool's configuration, every answer its own except {@code sequentialBackgroundFlushing()}.
     *
     * <p>A proxy rather than a subclass of {@code Configuration.Overridden}: that class reads a
     * default {@code Config} when built, and a proxy forwards any method a later Neo4j adds.
     */
    static Configuration withoutBackgroundFlushing(Configuration tool) {
        return (Configuration) Proxy.newProxyInstance(
                Configuration.class.getClassLoader(),
                new Class<?>[] {Configuration.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sequentialBackgroundFlushing")
                            && method.getParameterCount() == 0) {
                        return Boolean.FALSE;
                    }
                    try {
                        return method.invoke(tool, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Arguments as after {@code neo4j-admin database import full}; NEO4J_HOME and NEO4J_CONF as for it. */
    public static void main(String[] args) {
        String homeValue = System.getenv("NEO4J_HOME");
        if (homeValue == null || homeValue.isBlank()) {
            System.err.println("Required environment variable 'NEO4J_HOME' is not set");
            System.exit(CommandLine.ExitCode.USAGE);
        }
        Path home = Path.of(homeValue).toAbsolutePath();
        String confValue = System.getenv("NEO4J_CONF");
        Path conf = confValue == null || confValue.isBlank()
                ? home.resolve("conf")
                : Path.of(confValue).toAbsolutePath();
        ExecutionContext ctx = new ExecutionContext(home, conf);
        CommandLine cmd = new CommandLine(new FullImport(ctx))
                .setOut(new PrintWriter(ctx.out(), true))
                .setErr(new PrintWriter(ctx.err(), true))
                .setUsageHelpWidth(120)
                .setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cmd.execute(args));
    }
}
