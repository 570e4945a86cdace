"""The sources, headers, protos and flags of cc_binary targets, read off Bazel's configured target graph.

`source_manifest` writes one line per fact, sorted (tools/gpu/README.md describes the format). The CMake build
of tools/gpu/CMakeLists.txt compiles from the committed copy of this file, and //tools/gpu:manifest_test fails
when that copy differs from what Bazel's graph says now, so the two builds cannot drift apart.
"""

ManifestInfo = provider(fields = {"lines": "depset of manifest lines"})

_CC_RULES = ["cc_library", "cc_binary", "cc_test"]

def _files(ctx, attr):
    return getattr(ctx.rule.files, attr, []) if hasattr(ctx.rule.files, attr) else []

def _manifest_aspect_impl(target, ctx):
    lines = []
    kind = ctx.rule.kind
    ws = target.label.workspace_name
    if ws == "" and kind in _CC_RULES:
        srcs = _files(ctx, "srcs")
        for f in srcs:
            is_header = f.extension in ["h", "hh", "hpp", "inc"]
            if not f.is_source:
                lines.append("gen " + f.short_path)
            elif is_header:
                lines.append("hdr " + f.short_path)
            elif kind == "cc_library":
                lines.append("src " + f.short_path)
            for c in ctx.rule.attr.copts:
                if not is_header:
                    lines.append("copt %s %s" % (f.short_path, c))
        for f in _files(ctx, "hdrs"):
            lines.append(("hdr " if f.is_source else "gen ") + f.short_path)
        for o in ctx.rule.attr.linkopts:
            lines.append("linkopt " + o)
        for a in ["defines", "local_defines", "includes"]:
            for v in getattr(ctx.rule.attr, a, []):
                lines.append("%s %s %s" % (a, target.label, v))
    elif ws == "" and kind == "proto_library":
        for f in _files(ctx, "srcs"):
            lines.append("proto " + f.short_path)
    elif ws != "" and kind == "cc_library":
        name = "%s//:%s" % (ws, target.label.name)
        for v in ctx.rule.attr.includes:
            lines.append("ext %s include %s" % (name, v))
        for v in ctx.rule.attr.defines:
            lines.append("ext %s define %s" % (name, v))
        for v in ctx.rule.attr.linkopts:
            lines.append("ext %s linkopt %s" % (name, v))
    deps = []
    for attr in ["deps", "hdrs", "srcs"]:
        for d in getattr(ctx.rule.attr, attr, []):
            if type(d) == "Target" and ManifestInfo in d:
                deps.append(d[ManifestInfo].lines)
    return [ManifestInfo(lines = depset(lines, transitive = deps))]

manifest_aspect = aspect(
    implementation = _manifest_aspect_impl,
    attr_aspects = ["deps", "hdrs", "srcs"],
)

def _source_manifest_impl(ctx):
    lines = []
    for t in ctx.attr.binaries:
        lines += t[ManifestInfo].lines.to_list()
    for t in ctx.attr.binaries:
        # The binary's own sources (its main), and which library sources and protos it links.
        lines += ["binary %s %s" % (t.label.name, s) for s in t[_BinarySrcs].srcs]
        for l in t[ManifestInfo].lines.to_list():
            if l.startswith("src ") or l.startswith("proto "):
                lines.append("member %s %s" % (t.label.name, l.split(" ")[1]))
    body = sorted({l: None for l in lines}.keys())
    header = [
        "# The sources of %s, from Bazel's graph: tools/gpu/update_manifest.sh writes this file," % ", ".join([str(t.label) for t in ctx.attr.binaries]),
        "# //tools/gpu:manifest_test fails when it is stale. Format: tools/gpu/README.md.",
    ]
    ctx.actions.write(ctx.outputs.out, "\n".join(header + body) + "\n")
    return [DefaultInfo(files = depset([ctx.outputs.out]), runfiles = ctx.runfiles(files = [ctx.outputs.out]))]

_BinarySrcs = provider(fields = {"srcs": "short paths of a cc_binary's own non-header sources"})

def _binary_srcs_aspect_impl(target, ctx):
    srcs = [f.short_path for f in getattr(ctx.rule.files, "srcs", []) if f.extension not in ["h", "hh", "hpp", "inc"]]
    return [_BinarySrcs(srcs = srcs)]

_binary_srcs_aspect = aspect(implementation = _binary_srcs_aspect_impl)

source_manifest = rule(
    implementation = _source_manifest_impl,
    attrs = {
        "binaries": attr.label_list(aspects = [manifest_aspect, _binary_srcs_aspect], mandatory = True),
        "out": attr.output(mandatory = True),
    },
)
