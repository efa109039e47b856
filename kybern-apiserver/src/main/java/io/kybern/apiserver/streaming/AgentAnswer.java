package io.kybern.apiserver.streaming;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The node agent's answer to an upgrade request the API server sent it for itself (not on a client's behalf):
 * read with Netty's HTTP decoder, after which, on {@code 101}, the connection's bytes go to the handlers of the
 * protocol it switched to.
 */
public final class AgentAnswer {

    private static final int MAX_ERROR_BYTES = 64 * 1024;

    /** @param body the agent's message when it refused (kubelet answers text) */
    public record Answer(int status, String body) {
        public boolean upgraded() {
            return status == 101;
        }
    }

    private AgentAnswer() {
    }

    /**
     * Waits for the answer on {@code agent} (not reading yet). On {@code 101} the handlers {@code next} supplies
     * are installed before any later byte is read; otherwise the connection is closed.
     */
    public static Answer await(Channel agent, Supplier<List<ChannelHandler>> next, Duration timeout)
            throws IOException, InterruptedException {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        agent.eventLoop().execute(() -> {
            ChannelPipeline pipeline = agent.pipeline();
            pipeline.addLast("answer-decoder", new HttpResponseDecoder());
            pipeline.addLast("answer-aggregator", new HttpObjectAggregator(MAX_ERROR_BYTES));
            pipeline.addLast("answer", new SimpleChannelInboundHandler<FullHttpResponse>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                    int status = response.status().code();
                    if (status == 101) {
                        // Placed right after the decoder, so the bytes it still holds go to them when it leaves.
                        String previous = "answer-decoder";
                        int index = 0;
                        for (ChannelHandler handler : next.get()) {
                            String name = "upgraded-" + index++;
                            pipeline.addAfter(previous, name, handler);
                            previous = name;
                        }
                        pipeline.remove(this);
                        pipeline.remove("answer-aggregator");
                        pipeline.remove("answer-decoder");
                    } else {
                        ctx.close();
                    }
                    answer.complete(new Answer(status, response.content().toString(StandardCharsets.UTF_8).strip()));
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    answer.completeExceptionally(new IOException("the node agent closed the connection"));
                    ctx.fireChannelInactive();
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    answer.completeExceptionally(cause);
                    ctx.close();
                }
            });
            agent.config().setAutoRead(true);
        });
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            agent.close();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            agent.close();
            throw new IOException("the node agent did not answer in " + timeout.toSeconds() + " s");
        }
    }
}
