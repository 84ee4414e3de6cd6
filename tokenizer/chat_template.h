// SmolLM2's chat template as a fixed formatter, not a Jinja engine: the one template string
// it implements is kept verbatim (kSmolLM2ChatTemplate), and a model whose
// tokenizer.chat_template differs is refused by name rather than formatted wrongly.
// The template: a default system turn when the first message is not a system one, then
// "<|im_start|>ROLE\nCONTENT<|im_end|>\n" per message, then "<|im_start|>assistant\n" when a
// generation prompt is asked for. The result is text: encode it with Specials::parse.
#pragma once

#include <span>
#include <string>

namespace lockstep::tokenizer {

// tokenizer.chat_template of SmolLM2-135M-Instruct, byte for byte.
extern const char* const kSmolLM2ChatTemplate;

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

// Throws InputError unless `chat_template` is SmolLM2's (an empty one is named as missing).
void require_smollm2_chat_template(const std::string& chat_template);

std::string format_smollm2_chat(std::span<const ChatMessage> messages, bool add_generation_prompt);

// One user turn and the generation prompt: the usual way to prompt the model.
std::string format_smollm2_user_prompt(const std::string& user_text);

}  // namespace lockstep::tokenizer
