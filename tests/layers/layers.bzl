"""The folder graph of the C++ code, read off Bazel's target graph, for //tests/layers:layers_test.

`folder_graph` walks the `deps` of the given targets with an aspect and writes one line per fact:
`dep FROM TO` for every BUILD dependency between two packages of this workspace, and `src PATH` for every
source or header file of this workspace's cc rules (the files themselves come along as runfiles, so the test
also reads their #include lines).
"""

FolderInfo = provider(fields = {"lines": "depset of lines", "files": "depset of source files"})

_CC_RULES = ["cc_library", "cc_binary", "cc_test"]

def _folder_aspect_impl(target, ctx):
    lines = []
    files = []
    if target.label.workspace_name == "" and ctx.rule.kind in _CC_RULES:
        for attr in ["srcs", "hdrs"]:
            for f in getattr(ctx.rule.files, attr, []):
                if f.is_source:
                    files.append(f)
                    lines.append("src " + f.short_path)
        for d in getattr(ctx.rule.attr, "deps", []):
            if d.label.workspace_name == "":
                lines.append("dep %s %s" % (target.label.package, d.label.package))
    deps = [d[FolderInfo] for d in getattr(ctx.rule.attr, "deps", []) if FolderInfo in d]
    return [FolderInfo(
        lines = depset(lines, transitive = [d.lines for d in deps]),
        files = depset(files, transitive = [d.files for d in deps]),
    )]

folder_aspect = aspect(implementation = _folder_aspect_impl, attr_aspects = ["deps"])

def _folder_graph_impl(ctx):
    lines = depset(transitive = [t[FolderInfo].lines for t in ctx.attr.targets]).to_list()
    files = depset(transitive = [t[FolderInfo].files for t in ctx.attr.targets])
    ctx.actions.write(ctx.outputs.out, "\n".join(sorted({l: None for l in lines}.keys())) + "\n")
    return [DefaultInfo(
        files = depset([ctx.outputs.out]),
        runfiles = ctx.runfiles(files = [ctx.outputs.out], transitive_files = files),
    )]

folder_graph = rule(
    implementation = _folder_graph_impl,
    attrs = {
        "targets": attr.label_list(aspects = [folder_aspect]),
        "out": attr.output(mandatory = True),
    },
)
