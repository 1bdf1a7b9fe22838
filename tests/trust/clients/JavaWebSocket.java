// One wss:// echo with Java's java.net.http WebSocket and the JDK's default trust (its
// cacerts). Exits 0 when the echo came back. usage: java JavaWebSocket.java URL
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

public class JavaWebSocket {
  public static void main(String[] args) throws Exception {
    CompletableFuture<String> reply = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        reply.complete(data.toString());
        return null;
      }
    };
    try {
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create(args[0]), listener).get(10, TimeUnit.SECONDS);
      ws.sendText("hello from java", true);
      boolean ok = "hello from java".equals(reply.get(10, TimeUnit.SECONDS));
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
      System.exit(ok ? 0 : 1);
    } catch (Exception e) {
      System.err.println(e);
      System.exit(1);
    }
  }
}
