// File: opening (mmap or owned bytes), tensor lookup and tensor bytes. Parsing is in
// file_parse.cpp, the metadata getters in metadata.cpp.
#include "gguf/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "gguf/dequantize.h"
#include "sim/error.h"

namespace lockstep::gguf {
namespace {

// Closes the descriptor on every path out of File's constructor.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

}  // namespace

std::string dims_string(const std::vector<std::uint64_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

File::File(std::shared_ptr<const void> owner, const std::byte* data, std::size_t size,
           std::string origin)
    : owner_(std::move(owner)), data_(data), size_(size), origin_(std::move(origin)) {
  parse();
}

File::File(const std::string& path) : origin_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  const FdCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw InputError(path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw InputError(path + ": not a regular file");
  size_ = static_cast<std::size_t>(info.st_size);
  if (size_ > 0) {  // mmap refuses length 0; an empty file fails in parse() as truncated
    void* address = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address == MAP_FAILED) throw InputError(path + ": cannot mmap: " + std::strerror(errno));
    const std::size_t length = size_;
    owner_ = std::shared_ptr<const void>(
        address, [length](const void* mapped) { ::munmap(const_cast<void*>(mapped), length); });
    data_ = static_cast<const std::byte*>(address);
  }
  parse();
}

File File::from_bytes(std::vector<std::byte> bytes, std::string origin) {
  auto owned = std::make_shared<std::vector<std::byte>>(std::move(bytes));
  const std::byte* data = owned->data();
  const std::size_t size = owned->size();
  return File(std::move(owned), data, size, std::move(origin));
}

const TensorInfo* File::find_tensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& File::tensor(std::string_view name) const {
  const TensorInfo* info = find_tensor(name);
  if (info == nullptr) {
    throw InputError(origin_ + ": no tensor named '" + std::string(name) + "'");
  }
  return *info;
}

std::span<const std::byte> File::tensor_bytes(const TensorInfo& info) const {
  // The bounds were checked in parse(); this guards against an info from another file.
  require(info.offset <= size_ - data_offset_ && info.n_bytes <= size_ - data_offset_ - info.offset,
          "gguf::File::tensor_bytes: tensor info out of this file's bounds");
  return {data_ + data_offset_ + info.offset, static_cast<std::size_t>(info.n_bytes)};
}

std::vector<float> File::dequantize(const TensorInfo& info) const {
  try {
    return gguf::dequantize(info.type, tensor_bytes(info), info.n_elements, info.name);
  } catch (const InputError& e) {
    throw InputError(origin_ + ": " + e.what());
  }
}

}  // namespace lockstep::gguf
