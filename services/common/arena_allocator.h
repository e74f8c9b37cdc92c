// Puts the request and response of a callback RPC on one protobuf Arena:
// their many small messages (a page of 50 leaderboard entries) are
// bump-allocated and freed together when the call ends, instead of one
// malloc and free each. On the gRPC thread that starts the call they come
// from a block inside the holder; a response built on another thread (a
// Redis lane) gets that thread's own arena blocks from the heap. Strings
// longer than 15 bytes still own a heap buffer (protobuf 3.21).
// Register with the generated SetMessageAllocatorFor_<Method>; the
// allocator must outlive the server.
#ifndef PLAUDIT_SERVICES_COMMON_ARENA_ALLOCATOR_H_
#define PLAUDIT_SERVICES_COMMON_ARENA_ALLOCATOR_H_

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace plaudit {

template <typename Request, typename Response>
class ArenaAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options(block_)) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options(char* block) {
      google::protobuf::ArenaOptions options;
      options.initial_block = block;
      options.initial_block_size = sizeof(block_);
      return options;
    }

    // Most calls fit here; a larger one grows the arena from the heap.
    alignas(8) char block_[8192];
    google::protobuf::Arena arena_;
  };
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_ARENA_ALLOCATOR_H_
