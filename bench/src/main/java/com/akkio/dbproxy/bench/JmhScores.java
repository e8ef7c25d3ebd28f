package com.akkio.dbproxy.bench;

import java.util.HashMap;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs one class's JMH benchmarks (command-line options may follow) for a main that prints ratios of their scores. */
final class JmhScores {
    private JmhScores() {
    }

    /** Each benchmark's primary score, by its method's name. */
    static Map<String, Double> run(Class<?> benchmarks, String[] args) throws Exception {
        Options options = new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(benchmarks.getSimpleName()).build();
        Map<String, Double> scores = new HashMap<>();
        for (RunResult r : new Runner(options).run()) {
            String name = r.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        return scores;
    }
}
