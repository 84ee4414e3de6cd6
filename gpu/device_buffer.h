// An owning, typed device allocation (cudaMalloc: 256-byte aligned, so every buffer meets the
// 16-byte alignment cuBLASLt's int8 kernels need). Grows on demand, never shrinks; copying is
// a named cost (upload/download), not a copy constructor.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu/check.h"

namespace lockstep::gpu {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) { reserve(count); }
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);  // never throws from a destructor
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(capacity_, other.capacity_);
    return *this;
  }

  // At least `count` elements; previous contents are lost when it grows. A kernel queued on
  // any stream may still read the old allocation, and the runtime's streams are non-blocking
  // (no implicit ordering with cudaFree), so growing waits for the device first: growth is
  // rare (workspaces only grow), so the wait costs little.
  void reserve(std::size_t count) {
    if (count <= capacity_) return;
    if (data_) {
      LOCKSTEP_CUDA_CHECK(cudaDeviceSynchronize());
      LOCKSTEP_CUDA_CHECK(cudaFree(data_));
    }
    data_ = nullptr;
    capacity_ = 0;
    void* p = nullptr;
    LOCKSTEP_CUDA_CHECK(cudaMalloc(&p, (count == 0 ? 1 : count) * sizeof(T)));
    data_ = static_cast<T*>(p);
    capacity_ = count;
  }
  void zero(cudaStream_t stream) {
    if (capacity_) LOCKSTEP_CUDA_CHECK(cudaMemsetAsync(data_, 0, capacity_ * sizeof(T), stream));
  }
  void upload(const std::vector<T>& host, cudaStream_t stream) {
    reserve(host.size());
    if (!host.empty())
      LOCKSTEP_CUDA_CHECK(cudaMemcpyAsync(data_, host.data(), host.size() * sizeof(T),
                                          cudaMemcpyHostToDevice, stream));
  }
  void download(std::vector<T>& host, std::size_t count, cudaStream_t stream) const {
    host.resize(count);
    if (count)
      LOCKSTEP_CUDA_CHECK(
          cudaMemcpyAsync(host.data(), data_, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
    LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(stream));
  }

  T* get() { return data_; }
  const T* get() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  T* data_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace lockstep::gpu
