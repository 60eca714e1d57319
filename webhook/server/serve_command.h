#pragma once
// `driftgate serve`: the HTTPS admission webhook. The CLI dispatches here; all of
// Beast and OpenSSL stays behind this header.
namespace driftgate::server {

// argv[0] is "serve". Returns the process exit code.
int serve_command(int argc, char** argv);

}  // namespace driftgate::server
