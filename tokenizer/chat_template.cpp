// SmolLM2's chat formatter (see chat_template.h).
#include "tokenizer/chat_template.h"

#include "sim/error.h"

namespace lockstep::tokenizer {

const char* const kSmolLM2ChatTemplate =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}";

namespace {

// The system turn the template inserts when the conversation does not start with one.
const char* const kDefaultSystemPrompt =
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

void append_turn(std::string& out, const std::string& role, const std::string& content) {
  out += "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
}

}  // namespace

void require_smollm2_chat_template(const std::string& chat_template) {
  if (chat_template.empty())
    throw InputError("the model has no tokenizer.chat_template; --chat needs SmolLM2's");
  if (chat_template != kSmolLM2ChatTemplate) {
    throw InputError(
        "the model's tokenizer.chat_template is not SmolLM2's, the only one lockstep formats "
        "(it is a fixed formatter, not a Jinja engine)");
  }
}

std::string format_smollm2_chat(std::span<const ChatMessage> messages, bool add_generation_prompt) {
  std::string out;
  if (!messages.empty() && messages.front().role != "system")
    append_turn(out, "system", kDefaultSystemPrompt);
  for (const ChatMessage& message : messages) append_turn(out, message.role, message.content);
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::string format_smollm2_user_prompt(const std::string& user_text) {
  const ChatMessage turn{"user", user_text};
  return format_smollm2_chat(std::span(&turn, 1), true);
}

}  // namespace lockstep::tokenizer
