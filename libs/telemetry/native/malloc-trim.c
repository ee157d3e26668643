/*
 * malloc_trim(0) for Node (issue #12): a Node-API addon with one function, `mallocTrim()`, which
 * hands every free page of glibc's malloc arenas back to the OS and returns whether any was.
 *
 * Why: after a burst of work (10 000 puts of 4 KiB) a node's malloc heap keeps the pages the burst
 * freed: they lie between chunks still in use, where glibc's own trimming (only the top of each
 * arena, past M_TRIM_THRESHOLD) never reaches. Measured, one node from the bundle: 126-132 MiB idle
 * against ~100 MiB empty, ~15 MiB of ~50 MiB of arena in use; malloc_trim(0) brings it to ~101 MiB.
 * libs/telemetry/src/malloc-trim.ts loads it; memory-release.ts calls it once per quiet spell.
 *
 * No node_api.h: the few declarations below are Node-API's stable C ABI (the node binary exports
 * the functions), so building needs only gcc and libc6-dev, as the health probe does.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status; /* napi_ok == 0 */
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);

napi_status napi_create_function(napi_env env, const char *name, size_t length, napi_callback cb, void *data, napi_value *result);
napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value);
napi_status napi_get_boolean(napi_env env, bool value, napi_value *result);

#define NAPI_AUTO_LENGTH SIZE_MAX

static napi_value malloc_trim_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL;
  napi_get_boolean(env, malloc_trim(0) != 0, &result);
  return result;
}

/* Node-API version 1 is all this uses. */
int32_t node_api_module_get_api_version_v1(void) { return 1; }

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, malloc_trim_js, NULL, &fn) == 0) {
    napi_set_named_property(env, exports, "mallocTrim", fn);
  }
  return exports;
}
