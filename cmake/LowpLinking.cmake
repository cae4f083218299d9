# Everything links the shared libLLVM.so and libMLIR.so that Debian ships,
# never the hundreds of static component archives: links stay fast on two
# cores and binaries stay small.
function(lowp_link_mlir target)
  target_link_libraries(${target} PRIVATE MLIR LLVM)
endfunction()
