"""nas_fuzz_target: a libFuzzer binary (built with --config=fuzz, tools/fuzz/fuzz.sh) and its corpus regression
test (built normally, part of `bazel test //...`)."""

def nas_fuzz_target(name, deps):
    native.cc_library(
        name = name + "_lib",
        srcs = [name + "_fuzzer.cc"],
        hdrs = ["fuzz_file.h"],
        deps = deps,
        alwayslink = True,
        testonly = True,
    )

    # Links libFuzzer's main: only under --config=fuzz (clang), hence manual.
    native.cc_binary(
        name = name + "_fuzzer",
        deps = [":" + name + "_lib"],
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        testonly = True,
    )

    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        srcs = ["corpus_test.cc"],
        local_defines = ["FUZZ_TARGET=\\\"" + name + "\\\""],
        data = native.glob(["corpus/" + name + "/**", "regressions/" + name + "/**"]),
        deps = [":" + name + "_lib", "@system_libs//:gtest_main"],
    )
