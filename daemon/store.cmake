add_library(cb_store STATIC
  ${CMAKE_CURRENT_LIST_DIR}/store.c
  ${CMAKE_CURRENT_LIST_DIR}/store-json.c
  ${CMAKE_CURRENT_LIST_DIR}/store-migrations.c
  ${CMAKE_CURRENT_LIST_DIR}/store-sqlite.c)
target_link_libraries(cb_store PUBLIC cb_common PkgConfig::SQLITE PkgConfig::JANSSON)
target_include_directories(cb_store PUBLIC ${CMAKE_SOURCE_DIR})
