#pragma once
// The 23 actions of the SQS API version 2012-11-05, in model order: the one list the protocol
// layer (known actions) and the SigV4 credential store (per-key action limits) share.

#include <algorithm>
#include <array>
#include <string_view>

namespace tern {

inline constexpr std::array<std::string_view, 23> kSqsActions = {
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
};

inline bool is_sqs_action_name(std::string_view action) {
  return std::find(kSqsActions.begin(), kSqsActions.end(), action) != kSqsActions.end();
}

}  // namespace tern
