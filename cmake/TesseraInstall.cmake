# cmake --install: tools, the C API library, the mlir-opt plugin, public C
# and C++ headers (with the generated .inc they include), a CMake package
# (find_package(Tessera)) and a pkg-config file (tessera-bfn-c).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Installed binaries find libMLIR.so/libLLVM.so where Debian puts them.
set(_tessera_rpath "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR};${LLVM_LIBRARY_DIR}")
set_target_properties(tessera-opt tessera-compile TesseraBFN-C PROPERTIES
  INSTALL_RPATH "${_tessera_rpath}")

# tessera-run needs only the runtime beside it.
set_target_properties(tessera-run PROPERTIES
  INSTALL_RPATH "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")

target_include_directories(TesseraBFN-C INTERFACE
  $<BUILD_INTERFACE:${TESSERA_SOURCE_DIR}>
  $<BUILD_INTERFACE:${TESSERA_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  ${MLIR_INCLUDE_DIRS})

install(TARGETS tessera-opt tessera-compile tessera-run TesseraBFN-C tessera_rt
  EXPORT TesseraTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TESSERA_BUILD_PLUGIN)
  set_target_properties(TesseraPlugin PROPERTIES INSTALL_RPATH "${_tessera_rpath}")
  install(TARGETS TesseraPlugin LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()

install(FILES ${TESSERA_SOURCE_DIR}/runtime/include/tessera/runtime.h
  ${TESSERA_SOURCE_DIR}/runtime/include/tessera/runners.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera)
install(DIRECTORY ${TESSERA_SOURCE_DIR}/mlir-c/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mlir-c
  FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${TESSERA_SOURCE_DIR}/include/tessera/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${TESSERA_BINARY_DIR}/include/tessera/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera
  FILES_MATCHING PATTERN "*.inc" PATTERN "CMakeFiles" EXCLUDE)

install(EXPORT TesseraTargets NAMESPACE Tessera::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tessera)
configure_package_config_file(
  ${TESSERA_SOURCE_DIR}/cmake/TesseraConfig.cmake.in
  ${TESSERA_BINARY_DIR}/TesseraConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tessera
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(
  ${TESSERA_BINARY_DIR}/TesseraConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${TESSERA_BINARY_DIR}/TesseraConfig.cmake
              ${TESSERA_BINARY_DIR}/TesseraConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tessera)

# The prefix is only known at install time: generate the .pc file then.
install(CODE "
  set(CMAKE_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  set(MLIR_INCLUDE_DIRS \"${MLIR_INCLUDE_DIRS}\")
  configure_file(\"${TESSERA_SOURCE_DIR}/cmake/tessera-bfn-c.pc.in\"
                 \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/tessera-bfn-c.pc\" @ONLY)
")
