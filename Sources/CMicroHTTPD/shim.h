#ifndef RECORDER_GATEWAY_CMICROHTTPD_SHIM_H
#define RECORDER_GATEWAY_CMICROHTTPD_SHIM_H
#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>
#include <microhttpd.h>

/* libmicrohttpd's start and info calls are variadic, which Swift cannot call: these fix the
   arguments the status server uses. */

/* A daemon with its own polling thread and a thread per connection (a server-sent event stream
   may block its connection's thread while it waits for news), bound to `address`, with at most
   `connection_limit` connections at once and `timeout_seconds` of inactivity before one is
   closed. NULL when it cannot start (address in use, say). */
static inline struct MHD_Daemon *rg_mhd_start(unsigned int flags, const struct sockaddr *address,
                                              unsigned int connection_limit, unsigned int timeout_seconds,
                                              MHD_AccessHandlerCallback handler, void *handler_context,
                                              MHD_RequestCompletedCallback completed, void *completed_context) {
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
                            MHD_OPTION_END);
}

/* The port the daemon is bound to (the one the kernel chose, for port 0); 0 when unknown. */
static inline uint16_t rg_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}
/* A response holding its own copy of `size` bytes at `bytes`. */
static inline struct MHD_Response *rg_mhd_response_copying(size_t size, const void *bytes) {
    return MHD_create_response_from_buffer(size, (void *) bytes, MHD_RESPMEM_MUST_COPY);
}

/* The constants libmicrohttpd defines as casts, which Swift does not import. */
static const uint64_t rg_mhd_size_unknown = MHD_SIZE_UNKNOWN;
static const ssize_t rg_mhd_end_of_stream = MHD_CONTENT_READER_END_OF_STREAM;
static const ssize_t rg_mhd_end_with_error = MHD_CONTENT_READER_END_WITH_ERROR;
#endif
