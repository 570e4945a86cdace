"""Repository rules that wire Debian's Bazel rule sets and system libraries into an offline build."""

def _debian_rules_cc_impl(ctx):
    src = ctx.path("/usr/share/bazel/rules/cc")
    if not src.exists:
        fail("/usr/share/bazel/rules/cc is missing: run tools/build/setup.sh (package bazel-rules-cc)")
    ctx.execute(["cp", "-r", str(src) + "/.", "."])
    # Debian's rules_cc 0.0.4 calls use_cpp_toolchain(), which Bazel 4.2.3 does not have.
    for f in ["cc/private/rules_impl/compiler_flag.bzl", "cc/private/rules_impl/cc_flags_supplier.bzl"]:
        text = ctx.read(f)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        ctx.file(f, text)

debian_rules_cc = repository_rule(implementation = _debian_rules_cc_impl, local = True)

def _stub_coverage_tools_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "remote_coverage_tools")\n')
    ctx.file("BUILD", """
package(default_visibility = ["//visibility:public"])
filegroup(name = "coverage_report_generator", srcs = ["lcov_merger.sh"])
sh_binary(name = "lcov_merger", srcs = ["lcov_merger.sh"])
filegroup(name = "lcov_merger_files", srcs = ["lcov_merger.sh"])
""")
    # Minimal merger: concatenates the per-test lcov files Bazel hands it.
    ctx.file("lcov_merger.sh", """#!/bin/bash
out=""
for a in "$@"; do case "$a" in --output_file=*) out="${a#--output_file=}";; esac; done
[ -n "$out" ] || exit 0
: > "$out"
if [ -n "${COVERAGE_DIR:-}" ]; then find "$COVERAGE_DIR" -name '*.dat' -exec cat {} + >> "$out" 2>/dev/null; fi
exit 0
""", executable = True)

stub_coverage_tools = repository_rule(implementation = _stub_coverage_tools_impl)

def _system_library_impl(ctx):
    ctx.symlink("/usr", "usr")
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)

system_library = repository_rule(
    implementation = _system_library_impl,
    attrs = {"build_file": attr.label(allow_single_file = True)},
    local = True,
)

def _shared_data_impl(ctx):
    # ../shared/data beside the checkout holds real benchmark files on development machines and in CI; a
    # fresh clone elsewhere lacks it and the tests that need it skip.
    root = ctx.path(Label("//:WORKSPACE")).dirname
    src = root.dirname.get_child("shared").get_child("data")
    if src.exists:
        ctx.symlink(src, "data")
    else:
        ctx.file("data/ABSENT", "../shared/data was not found beside the checkout\n")
    # ../shared/evidence: files found broken in the field (e.g. a log torn by a kill), replayed by tests.
    evidence = root.dirname.get_child("shared").get_child("evidence")
    if evidence.exists:
        ctx.symlink(evidence, "evidence")
    else:
        ctx.file("evidence/ABSENT", "../shared/evidence was not found beside the checkout\n")
    ctx.file("WORKSPACE", 'workspace(name = "shared_data")\n')
    ctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])
filegroup(name = "nb201_csv", srcs = glob(["data/nasbench201/*.csv"], allow_empty = True))
filegroup(name = "nats_tss_sample", srcs = glob(["data/nats-tss-sample/*"], allow_empty = True))
filegroup(name = "evidence", srcs = glob(["evidence/*.h5"], allow_empty = True))
""")

shared_data = repository_rule(implementation = _shared_data_impl, local = True)
