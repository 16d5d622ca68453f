# Reads .ci/Dockerfile for tests/pipeline.tftest.hcl (run "build_image_is_pinned"): its
# build arguments, base image, package sources and download URLs.
locals {
  dockerfile = file("${path.module}/../../../../../.ci/Dockerfile")
  lines      = split("\n", replace(local.dockerfile, "\\\n", " "))
  args       = { for m in regexall("(?m)^ARG ([A-Z0-9_]+)=(\\S*)$", local.dockerfile) : m[0] => m[1] }
  froms      = [for m in regexall("(?m)^FROM (\\S+)", local.dockerfile) : m[0]]
  urls       = [for m in regexall("https?://[^\\s\"']+", local.dockerfile) : m]
  apt_lines  = [for m in regexall("deb \\[[^]]*\\] (\\S+)", local.dockerfile) : m[0]]
  toolchain  = try(regex("(?m)^channel = \"([^\"]+)\"", file("${path.module}/../../../../../rust-toolchain.toml"))[0], null)
}

output "args" {
  value = local.args
}

output "froms" {
  value = local.froms
}

output "urls" {
  value = local.urls
}

output "apt_sources" {
  value = local.apt_lines
}

output "run_lines" {
  value = [for l in local.lines : l if startswith(l, "RUN ")]
}

output "rust_toolchain_file" {
  value = local.toolchain
}
