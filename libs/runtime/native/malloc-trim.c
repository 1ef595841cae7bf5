// glibc's malloc_trim(0) for Node (libs/runtime/src/release-free-memory.ts; why: docs/adr/0020-giving-back-the-c-heap.md).
#include <malloc.h>
#include <node_api.h>

static napi_value MallocTrim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value released = NULL;
  napi_get_boolean(env, malloc_trim(0) == 1, &released);
  return released;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, MallocTrim, NULL, &fn);
  napi_set_named_property(env, exports, "mallocTrim", fn);
  return exports;
}
