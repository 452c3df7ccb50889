# Installation layout and the Debian package (`cpack -G DEB` in the build directory).
#
#   /usr/bin/archivist                          the command (cli/CMakeLists.txt installs it)
#   /usr/share/man/man1/archivist*.1.gz         generated from --help at build time (help2man)
#   /etc/archivist/archivist.toml               the example config, data dir set for the service
#   /lib/systemd/system/archivist*.{service,path}
#   /usr/share/doc/archivist/                   deploy README and the untouched example config
#
# The maintainer scripts in deploy/debian/ create the `archivist` system user and /var/lib/archivist.
# Included from the top-level CMakeLists.txt after the targets exist.

set(ARCHIVIST_DEPLOY_DIR ${PROJECT_SOURCE_DIR}/deploy)

# --- Man pages ----------------------------------------------------------------------------------
# Generated from the binary's own --help so they always match the options it has.
find_program(ARCHIVIST_HELP2MAN help2man)
if(ARCHIVIST_HELP2MAN AND TARGET archivist)
  set(_man_dir ${PROJECT_BINARY_DIR}/man)
  set(_man_stamp ${_man_dir}/man.stamp)
  add_custom_command(
    OUTPUT ${_man_stamp}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${_man_dir}
    COMMAND ${ARCHIVIST_DEPLOY_DIR}/gen-man.sh $<TARGET_FILE:archivist> ${PROJECT_VERSION}
            ${ARCHIVIST_DEPLOY_DIR}/man/archivist.h2m ${_man_dir}
    COMMAND ${CMAKE_COMMAND} -E touch ${_man_stamp}
    DEPENDS archivist ${ARCHIVIST_DEPLOY_DIR}/gen-man.sh ${ARCHIVIST_DEPLOY_DIR}/man/archivist.h2m
    COMMENT "Generating man pages from archivist --help"
    VERBATIM)
  add_custom_target(archivist_man ALL DEPENDS ${_man_stamp})
  install(DIRECTORY ${_man_dir}/ DESTINATION share/man/man1 FILES_MATCHING PATTERN "*.1.gz")
else()
  message(WARNING "help2man not found (scripts/install-deps.sh installs it): "
                  "the package will have no man pages")
endif()

# --- Configuration ------------------------------------------------------------------------------
# The packaged config is the example with one value changed: the service's data lives in its
# state directory, not in ./archivist-data relative to wherever a command happens to run.
set(_example_config ${ARCHIVIST_DEPLOY_DIR}/archivist.example.toml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_example_config})
file(READ ${_example_config} _config_text)
set(_default_data_line "dir = \"./archivist-data\"")
string(FIND "${_config_text}" "${_default_data_line}" _at)
if(_at EQUAL -1)
  message(FATAL_ERROR "${_example_config} no longer has the line '${_default_data_line}' that "
                      "ArchivistPackaging.cmake rewrites for the packaged config")
endif()
string(REPLACE "${_default_data_line}" "dir = \"/var/lib/archivist/data\""
       _config_text "${_config_text}")
set(_packaged_config ${PROJECT_BINARY_DIR}/deploy/archivist.toml)
set(_old_text "")
if(EXISTS ${_packaged_config})
  file(READ ${_packaged_config} _old_text)
endif()
if(NOT _old_text STREQUAL _config_text)  # rewrite only on change, so nothing rebuilds needlessly
  file(WRITE ${_packaged_config} "${_config_text}")
endif()
install(FILES ${_packaged_config} DESTINATION /etc/archivist
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${_example_config} ${ARCHIVIST_DEPLOY_DIR}/README.md
        DESTINATION share/doc/archivist)

# --- systemd units ------------------------------------------------------------------------------
# Debian 12 still keeps packaged units in /lib/systemd/system (usrmerge makes it /usr/lib).
install(FILES ${ARCHIVIST_DEPLOY_DIR}/systemd/archivist.service
              ${ARCHIVIST_DEPLOY_DIR}/systemd/archivist-ingest@.service
              ${ARCHIVIST_DEPLOY_DIR}/systemd/archivist-ingest@.path
        DESTINATION /lib/systemd/system)

# --- CPack: the .deb ----------------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "archivist")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Archivist")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "air-gapped document search and question answering over PDFs and scans")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # archivist_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Archivist maintainers <archivist@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION "text")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The summary above is the synopsis line; this is the extended description under it.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Archivist turns PDFs and scans into a searchable, citable archive (Poppler,\n"
    "Tesseract, RocksDB, FAISS) and answers questions over it with a local language\n"
    "model. It makes no network connection of its own. Includes the archivist\n"
    "command, its man pages, an example configuration and hardened systemd units\n"
    "for the Thrift server and drop-folder ingest.")
# Shared-library dependencies come from dpkg-shlibdeps; the OCR language data is loaded at run
# time, so no linker can see it; adduser is needed by the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tesseract-ocr-eng, tesseract-ocr-osd, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ARCHIVIST_DEPLOY_DIR}/debian/conffiles
    ${ARCHIVIST_DEPLOY_DIR}/debian/postinst
    ${ARCHIVIST_DEPLOY_DIR}/debian/prerm
    ${ARCHIVIST_DEPLOY_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# `package_source`: the tree as committed, without build directories or Git metadata.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "/__pycache__/")

include(CPack)
