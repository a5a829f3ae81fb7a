"""A stand-in for the OpenAI API on 127.0.0.1, for tests: real-shaped answers, failures on demand.

It answers the three endpoints the workbench uses, the way the real service does:

- POST /v1/images/generations (JSON) and /v1/images/edits (multipart): {"created", "data": [{"b64_json"}], "usage"}
- POST /v1/chat/completions with a json_schema response_format: a chat.completion whose message
  content is the JSON the test set in `chat_content` (or a refusal)

and records every request (path, headers, body) so tests can count retries and look at what was sent.

To play a server that echoes the key back in a 200 answer, a test puts `API_KEY_ECHO` in
`revised_prompt` (images then come back with one), `chat_content`, `image_refusal` or `chat_refusal`:
the fake puts the key the request carried in its place.
`plan(...)` queues what the next requests get, in order; when the queue is empty they succeed:

    "ok"       the normal answer
    "401"      invalid_api_key, with the key masked the way OpenAI echoes it
    "403"      permission denied (e.g. an organisation not verified for the model)
    "429"      rate_limit_exceeded, retry-after-ms: 1 (so client retries stay fast)
    "quota"    429 insufficient_quota
    "500"      server error, retry-after-ms: 1
    "refuse"   images: 400 moderation_blocked; chat: a message with `refusal` set
    "garbage"  200 with a body that is not JSON
    "no-image" 200 JSON with an empty data list
    "bad-b64"  200 JSON whose b64_json is not base64
    "slow"     answers after `slow_seconds` (longer than the test client's timeout)

Only the standard library: http.server in a daemon thread, bound to 127.0.0.1 on a free port.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

API_KEY_ECHO = "{api_key}"  # in a text the fake answers with: replaced by the request's own key
IMAGE_REFUSAL = ("Your request was rejected as a result of our safety system. "
                 "Your request may contain content that is not allowed by our safety system.")
CHAT_REFUSAL = "I'm sorry, I can't help with that request."


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form_parts(self) -> dict[str, bytes]:
        """A multipart body's parts by field name (for the image edit uploads)."""
        head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        return {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                for part in message.iter_parts()}


def png_b64(width: int, height: int) -> str:
    """A small but real picture: a warm backdrop with a float-ish blob in the middle."""
    image = Image.new("RGB", (width, height), (236, 226, 205))
    ImageDraw.Draw(image).ellipse((width * 0.2, height * 0.25, width * 0.8, height * 0.8), fill=(190, 40, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


class FakeOpenAI:
    def __init__(self, slow_seconds: float = 1.0):
        self.requests: list[Recorded] = []
        self.chat_content: str = json.dumps({"ideas": []})
        self.revised_prompt: str | None = None  # images come back without one unless set
        self.image_refusal = IMAGE_REFUSAL
        self.chat_refusal = CHAT_REFUSAL
        self.slow_seconds = slow_seconds
        self._plan: deque[str] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def plan(self, *behaviours: str) -> None:
        with self._lock:
            self._plan.extend(behaviours)

    def requests_to(self, path_end: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(path_end)]

    def _next(self) -> str:
        with self._lock:
            return self._plan.popleft() if self._plan else "ok"

    # ----------------------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.requests.append(Recorded("POST", self.path, headers, body))
                behaviour = fake._next()
                chat = self.path.endswith("/chat/completions")
                if behaviour == "slow":
                    time.sleep(fake.slow_seconds)
                    behaviour = "ok"
                if behaviour == "ok":
                    return self._json(200, fake._chat(headers, body) if chat
                                      else fake._images(self.path, headers, body))
                if behaviour == "401":
                    key = headers.get("authorization", "").removeprefix("Bearer ")
                    masked = key[:3] + "*" * 8 + key[-4:]
                    return self._error(401, f"Incorrect API key provided: {masked}. You can find your API key at "
                                            "https://platform.openai.com/account/api-keys.",
                                       "invalid_request_error", "invalid_api_key")
                if behaviour == "403":
                    return self._error(403, "Your organization must be verified to use this model.",
                                       "invalid_request_error", None)
                if behaviour == "429":
                    return self._error(429, "Rate limit reached for images per minute.", "requests",
                                       "rate_limit_exceeded", {"retry-after-ms": "1"})
                if behaviour == "quota":
                    return self._error(429, "You exceeded your current quota, please check your plan and billing.",
                                       "insufficient_quota", "insufficient_quota")
                if behaviour == "500":
                    return self._error(500, "The server had an error while processing your request.",
                                       "server_error", None, {"retry-after-ms": "1"})
                if behaviour == "refuse" and chat:
                    return self._json(200, fake._chat(headers, body, refusal=fake._echo(fake.chat_refusal, headers)))
                if behaviour == "refuse":
                    return self._error(400, fake._echo(fake.image_refusal, headers),
                                       "image_generation_user_error", "moderation_blocked")
                if behaviour == "garbage":
                    return self._raw(200, b"<html><body>502 Bad Gateway</body>", "application/json")
                if behaviour == "no-image":
                    return self._json(200, {"created": int(time.time()), "data": []})
                if behaviour == "bad-b64":
                    return self._json(200, {"created": int(time.time()), "data": [{"b64_json": "not base64 at all!"}]})
                raise AssertionError(f"unknown behaviour {behaviour!r}")

            def _error(self, status, message, kind, code, extra_headers=None):
                error = {"error": {"message": message, "type": kind, "param": None, "code": code}}
                self._raw(status, json.dumps(error).encode(), "application/json", extra_headers)

            def _json(self, status, payload):
                self._raw(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

            def _raw(self, status, data, content_type, extra_headers=None):
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.send_header("x-request-id", f"req_fake_{len(fake.requests)}")
                for key, value in (extra_headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        return Handler

    def _images(self, path: str, headers: dict[str, str], body: bytes) -> dict:
        if path.endswith("/images/edits"):
            fields = Recorded("POST", path, headers, body).form_parts()
            size = fields.get("size", b"1024x1024").decode()
        else:
            size = json.loads(body).get("size") or "1024x1024"
        width, height = (int(v) for v in size.split("x"))
        image = {"b64_json": png_b64(width, height)}
        if self.revised_prompt is not None:
            image["revised_prompt"] = self._echo(self.revised_prompt, headers)
        return {
            "created": int(time.time()),
            "data": [image],
            "usage": {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210,
                      "input_tokens_details": {"image_tokens": 0, "text_tokens": 50}},
        }

    def _chat(self, headers: dict[str, str], body: bytes, refusal: str | None = None) -> dict:
        request = json.loads(body)
        content = None if refusal else self._echo(self.chat_content, headers)
        message = {"role": "assistant", "content": content, "refusal": refusal, "annotations": []}
        return {
            "id": f"chatcmpl-fake{len(self.requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model", "gpt-4o-mini"),
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 200, "total_tokens": 320},
        }

    @staticmethod
    def _echo(text: str, headers: dict[str, str]) -> str:
        """`text` with API_KEY_ECHO replaced by the key this request carried, as a leaky server would."""
        return text.replace(API_KEY_ECHO, headers.get("authorization", "").removeprefix("Bearer "))
