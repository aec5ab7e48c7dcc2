// The sandbox chat page. No framework, no build step. Every text from the bot is put in the
// page with textContent / createTextNode only: never innerHTML.
"use strict";

const state = { persona: null, seq: 0, nodes: new Map(), polling: 0 };
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

// --- personas ---------------------------------------------------------------------------------

async function loadPersonas() {
  const { personas } = await api("/api/personas");
  const list = $("personas");
  list.replaceChildren();
  for (const p of personas) {
    const item = el("li");
    const button = el("button");
    button.type = "button";
    button.dataset.persona = p.key;
    button.append(el("strong", "", `${p.first_name} (${p.language})`));
    if (p.role) button.append(el("span", "role", p.role));
    button.addEventListener("click", () => openChat(p));
    item.append(button);
    list.append(item);
  }
}

$("new-persona").addEventListener("submit", async (event) => {
  event.preventDefault();
  const persona = await api("/api/personas", {
    name: $("new-name").value, language: $("new-language").value,
  });
  $("new-name").value = "";
  await loadPersonas();
  openChat(persona);
});

$("back").addEventListener("click", () => {
  state.persona = null;
  state.polling += 1;
  $("chat").hidden = true;
  $("picker").hidden = false;
});

// --- rendering entities -------------------------------------------------------------------------

function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (_error) {
    return null;
  }
}

function entityNode(entity, slice) {
  const simple = {
    bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
    blockquote: "blockquote", expandable_blockquote: "blockquote",
  };
  if (simple[entity.type]) return el(simple[entity.type]);
  if (entity.type === "pre") {
    const pre = el("pre");
    const code = el("code");
    if (entity.language) code.dataset.language = entity.language;
    pre.append(code);
    return { outer: pre, inner: code };
  }
  if (entity.type === "text_link" || entity.type === "url") {
    const href = safeHref(entity.type === "url" ? slice : entity.url);
    if (!href) return el("span");
    const link = el("a");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  if (entity.type === "spoiler") {
    const span = el("span", "spoiler");
    span.addEventListener("click", () => span.classList.toggle("shown"));
    return span;
  }
  return el("span");
}

function renderRange(text, entities, start, end, parent) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    const from = Math.max(entity.offset, pos);
    const to = Math.min(entity.offset + entity.length, end);
    let j = i + 1;
    while (j < entities.length && entities[j].offset < to) j += 1;
    if (from >= to) { i = j; continue; }
    if (from > pos) parent.append(document.createTextNode(text.slice(pos, from)));
    const made = entityNode(entity, text.slice(from, to));
    const outer = made.outer || made;
    const inner = made.inner || made;
    renderRange(text, entities.slice(i + 1, j), from, to, inner);
    parent.append(outer);
    pos = to;
    i = j;
  }
  if (pos < end) parent.append(document.createTextNode(text.slice(pos, end)));
}

function renderText(text, entities) {
  const body = el("div", "text");
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  renderRange(text || "", sorted, 0, (text || "").length, body);
  return body;
}

function fileLink(fileId, label) {
  const link = el("a", "file", label);
  link.href = `/api/file/${encodeURIComponent(fileId)}`;
  link.target = "_blank";
  link.rel = "noopener";
  return link;
}

function inlineKeyboard(message) {
  const markup = message.reply_markup;
  if (!markup || !markup.inline_keyboard) return null;
  const box = el("div", "keyboard");
  for (const row of markup.inline_keyboard) {
    const line = el("div", "row");
    for (const button of row) {
      const node = el("button", "", button.text);
      node.type = "button";
      if (button.callback_data !== undefined) {
        node.dataset.callback = button.callback_data;
        node.addEventListener("click", () => press(message, button.callback_data));
      } else if (button.url && safeHref(button.url)) {
        node.addEventListener("click", () => window.open(safeHref(button.url), "_blank", "noopener"));
      }
      // TODO(payments): a `pay` button on an invoice opens #pay-panel.
      line.append(node);
    }
    box.append(line);
  }
  return box;
}

function fillMessage(node, message) {
  node.replaceChildren();
  node.className = "msg" + (message.from_bot ? "" : " mine");
  node.dataset.messageId = message.message_id;
  if (message.photo && message.photo.length) {
    const biggest = message.photo[message.photo.length - 1];
    node.append(fileLink(biggest.file_id, "🖼 foto"));
  }
  if (message.document) {
    node.append(fileLink(message.document.file_id, "📎 " + (message.document.file_name || "documento")));
  }
  if (message.invoice) {
    // TODO(payments): render the invoice and a Pay button (see #pay-panel).
    node.append(el("div", "invoice", `🧾 ${message.invoice.title || "fattura"}`));
  }
  if (message.text !== undefined) node.append(renderText(message.text, message.entities));
  if (message.caption !== undefined) node.append(renderText(message.caption, message.caption_entities));
  const keyboard = inlineKeyboard(message);
  if (keyboard) node.append(keyboard);
  // Hours and minutes, as Telegram shows them (the page is Italian, so 24-hour time).
  const time = new Date(message.date * 1000).toLocaleTimeString("it-IT", { hour: "2-digit", minute: "2-digit" });
  const meta = el("div", "meta", time);
  if (message.edit_date) meta.classList.add("edited");
  node.append(meta);
}

function renderReplyKeyboard(messages) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  let keyboard = null;
  for (const message of messages) {
    if (!message.from_bot) continue;
    const markup = message.reply_keyboard || message.reply_markup;
    if (markup && markup.keyboard) keyboard = markup.keyboard;
    else if (markup && markup.remove_keyboard) keyboard = null;
  }
  if (!keyboard) return;
  for (const row of keyboard) {
    const line = el("div", "row");
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const node = el("button", "", label);
      node.type = "button";
      node.addEventListener("click", () => sendText(label));
      line.append(node);
    }
    box.append(line);
  }
}

// --- the chat -------------------------------------------------------------------------------

async function refresh() {
  if (!state.persona) return;
  const found = await api(`/api/chats/${state.persona.id}`);
  const list = $("messages");
  const seen = new Set();
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  for (const message of found.messages) {
    seen.add(message.message_id);
    const signature = JSON.stringify(message);
    let node = state.nodes.get(message.message_id);
    if (!node) {
      node = el("div");
      state.nodes.set(message.message_id, node);
      list.append(node);
    }
    if (node.dataset.signature !== signature) {
      fillMessage(node, message);
      node.dataset.signature = signature;
    }
  }
  for (const [id, node] of state.nodes) {
    if (!seen.has(id)) { node.remove(); state.nodes.delete(id); }
  }
  renderReplyKeyboard(found.messages);
  if (atBottom) list.scrollTop = list.scrollHeight;
  state.seq = Math.max(state.seq, found.seq || 0);
}

function toast(text) {
  const node = el("div", "toast", text);
  $("messages").append(node);
  setTimeout(() => node.remove(), 4000);
}

async function sendText(text) {
  if (!state.persona || !text.trim()) return;
  try {
    await api("/api/send", { user_id: state.persona.id, text });
  } catch (error) {
    toast("⚠️ " + error.message);
  }
  await refresh();
}

async function press(message, data) {
  try {
    await api("/api/press", {
      user_id: state.persona.id, chat_id: message.chat.id, message_id: message.message_id, data,
    });
  } catch (error) {
    toast("⚠️ " + error.message);
  }
}

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value;
  $("text").value = "";
  await sendText(text);
});

async function poll(generation) {
  while (generation === state.polling) {
    try {
      const { events, last } = await api(`/api/events?after=${state.seq}&timeout=20`);
      if (generation !== state.polling) return;
      state.seq = last;
      let changed = false;
      for (const event of events) {
        const chatId = event.chat_id ?? (event.callback && event.callback.chat_id);
        if (chatId !== state.persona.id) continue;
        changed = true;
        if (event.type === "callback_answer" && event.callback.answer && event.callback.answer.text) {
          toast(event.callback.answer.text);
        }
      }
      if (changed) await refresh();
    } catch (_error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function openChat(persona) {
  state.persona = persona;
  state.nodes.clear();
  $("messages").replaceChildren();
  $("chat-title").textContent = `${persona.first_name} (${persona.language})`;
  $("picker").hidden = true;
  $("chat").hidden = false;
  state.seq = 0;
  await refresh();
  state.polling += 1;
  poll(state.polling);
  $("text").focus();
}

loadPersonas();
