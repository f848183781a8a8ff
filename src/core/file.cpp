// File helpers: plain and gzip reads, atomic writes.
#include "gan/core/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <zlib.h>

#include "gan/core/error.h"

namespace gan {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

bool is_gzip(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in,
                            const fs::path& path, uint64_t max_bytes) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header rather than a raw zlib one.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    throw Error(fmt::format("{}: cannot start gzip decoder", path.string()));
  }
  stream.next_in = const_cast<Bytef*>(in.data());
  stream.avail_in = static_cast<uInt>(in.size());

  std::vector<uint8_t> out;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (out.size() >= max_bytes) {
      inflateEnd(&stream);
      throw Error(fmt::format("{}: uncompressed size exceeds {} bytes",
                              path.string(), max_bytes));
    }
    const size_t chunk = std::max<size_t>(in.size() * 2, 1 << 16);
    const size_t used = out.size();
    out.resize(used + chunk);
    stream.next_out = out.data() + used;
    stream.avail_out = static_cast<uInt>(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    out.resize(used + chunk - stream.avail_out);
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      inflateEnd(&stream);
      throw Error(fmt::format(
          "{}: truncated gzip stream (ends after {} uncompressed bytes)",
          path.string(), out.size()));
    }
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      const std::string why = stream.msg ? stream.msg : "corrupt data";
      inflateEnd(&stream);
      throw Error(fmt::format("{}: corrupt gzip stream ({})", path.string(),
                              why));
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace

std::vector<uint8_t> read_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw Error(fmt::format("{}: expected a file, found a folder",
                            path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("{}: cannot open ({})", path.string(),
                            errno_text()));
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw Error(fmt::format("{}: read error", path.string()));
  }
  return bytes;
}

std::vector<uint8_t> read_file_maybe_gzip(const fs::path& path,
                                          uint64_t max_bytes) {
  auto bytes = read_file(path);
  if (!is_gzip(bytes)) return bytes;
  return gunzip(bytes, path, max_bytes);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  // A unique temporary beside the target, so rename() stays on one
  // filesystem and is atomic.
  std::random_device entropy;
  const fs::path tmp = path.string() + fmt::format(".tmp{:08x}", entropy());

  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    throw Error(fmt::format("{}: cannot write ({})", path.string(),
                            errno_text()));
  }
  auto fail = [&](const char* what) {
    const std::string why = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: {} failed ({})", path.string(), what, why));
  };

  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: close failed ({})", path.string(), why));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: rename failed ({})", path.string(), why));
  }
}

void ensure_writable_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw Error(fmt::format("{}: cannot create folder ({})", dir.string(),
                            ec.message()));
  }
  if (!fs::is_directory(dir, ec)) {
    throw Error(fmt::format("{}: expected a folder", dir.string()));
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw Error(fmt::format("{}: folder is not writable ({})", dir.string(),
                            errno_text()));
  }
}

}  // namespace gan
