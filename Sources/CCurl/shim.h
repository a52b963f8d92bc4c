// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are C variadics, which Swift
// cannot call, so each argument type the client uses gets a typed inline wrapper here.
#include <curl/curl.h>

typedef size_t (*rg_data_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*rg_seek_callback)(void *context, curl_off_t offset, int origin);

static inline CURLcode rg_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_setopt_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_setopt_data_callback(CURL *handle, CURLoption option, rg_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_setopt_seek_callback(CURL *handle, CURLoption option, rg_seek_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rg_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode rg_getinfo_pointer(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

/// The result of a finished transfer: the union in CURLMsg, read in C.
static inline CURLcode rg_message_result(const CURLMsg *message) { return message->data.result; }

static const size_t rg_readfunc_abort = CURL_READFUNC_ABORT;
static const size_t rg_readfunc_pause = CURL_READFUNC_PAUSE;
static const int rg_pause_cont = CURLPAUSE_CONT;
static const int rg_seekfunc_ok = CURL_SEEKFUNC_OK;
static const int rg_seekfunc_cantseek = CURL_SEEKFUNC_CANTSEEK;
static const long rg_http_version_2tls = CURL_HTTP_VERSION_2TLS;
