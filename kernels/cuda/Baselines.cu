//===- Baselines.cu - Hand-written reference CUDA kernels -----------------===//
//
// Straightforward, numerically careful kernels that generated kernels are
// checked and timed against where no vendor library covers the op: row
// softmax, layer normalisation and attention, in fp32 and bf16 (fp32
// arithmetic inside). Compiled to one cubin per chip (sm_80, sm_90) and
// launched through launch plans (BaselinePlans.cpp), like generated code.
//
// Row kernels: one block of kRowThreads threads per row; three passes over
// the row (max or mean, sum or variance, write), reductions through warp
// shuffles and shared memory.
//
//===----------------------------------------------------------------------===//

#include <cuda_bf16.h>

namespace {

constexpr int kRowThreads = 256;
constexpr int kWarps = kRowThreads / 32;

__device__ float load(const float *p, long i) { return p[i]; }
__device__ float load(const __nv_bfloat16 *p, long i) {
  return __bfloat162float(p[i]);
}
__device__ void store(float *p, long i, float v) { p[i] = v; }
__device__ void store(__nv_bfloat16 *p, long i, float v) {
  p[i] = __float2bfloat16_rn(v);
}

enum class Reduce { Sum, Max };

template <Reduce kind> __device__ float combine(float a, float b) {
  return kind == Reduce::Sum ? a + b : fmaxf(a, b);
}

/// Reduces `value` over the block's threads; every thread gets the result.
template <Reduce kind> __device__ float blockReduce(float value) {
  __shared__ float partial[kWarps];
  __shared__ float result;
  for (int offset = 16; offset > 0; offset /= 2)
    value = combine<kind>(value, __shfl_xor_sync(0xffffffffu, value, offset));
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0)
    partial[warp] = value;
  __syncthreads();
  if (warp == 0) {
    value = lane < kWarps ? partial[lane]
                          : (kind == Reduce::Sum ? 0.0f : -INFINITY);
    for (int offset = 16; offset > 0; offset /= 2)
      value = combine<kind>(value, __shfl_xor_sync(0xffffffffu, value, offset));
    if (lane == 0)
      result = value;
  }
  __syncthreads();
  return result;
}

template <typename T>
__device__ void softmax(const T *in, T *out, int rows, int cols) {
  int row = blockIdx.x;
  if (row >= rows)
    return;
  const T *x = in + long(row) * cols;
  T *y = out + long(row) * cols;
  float maximum = -INFINITY;
  for (int i = threadIdx.x; i < cols; i += blockDim.x)
    maximum = fmaxf(maximum, load(x, i));
  maximum = blockReduce<Reduce::Max>(maximum);
  float sum = 0;
  for (int i = threadIdx.x; i < cols; i += blockDim.x)
    sum += expf(load(x, i) - maximum);
  sum = blockReduce<Reduce::Sum>(sum);
  for (int i = threadIdx.x; i < cols; i += blockDim.x)
    store(y, i, expf(load(x, i) - maximum) / sum);
}

template <typename T>
__device__ void layerNorm(const T *in, const T *gamma, const T *beta, T *out,
                          int rows, int cols, float epsilon) {
  int row = blockIdx.x;
  if (row >= rows)
    return;
  const T *x = in + long(row) * cols;
  T *y = out + long(row) * cols;
  float sum = 0;
  for (int i = threadIdx.x; i < cols; i += blockDim.x)
    sum += load(x, i);
  float mean = blockReduce<Reduce::Sum>(sum) / cols;
  float squares = 0;
  for (int i = threadIdx.x; i < cols; i += blockDim.x) {
    float d = load(x, i) - mean;
    squares += d * d;
  }
  float inverse = rsqrtf(blockReduce<Reduce::Sum>(squares) / cols + epsilon);
  for (int i = threadIdx.x; i < cols; i += blockDim.x)
    store(y, i, (load(x, i) - mean) * inverse * load(gamma, i) + load(beta, i));
}

/// softmax(q k^T * scale) v for one query row per block. Layouts: q and o
/// [batch, heads, queries, dim]; k and v [batch, kvHeads, keys, dim]. With
/// `causal`, query i sees keys j <= i + keys - queries (the queries are the
/// last ones of the key sequence). Dynamic shared memory: keys + dim floats.
template <typename T>
__device__ void attention(const T *q, const T *k, const T *v, T *o, int batch,
                          int heads, int kvHeads, int queries, int keys,
                          int dim, float scale, int causal) {
  extern __shared__ float shared[];
  float *scores = shared;
  float *query = shared + keys;
  int row = blockIdx.x; // (b * heads + h) * queries + i
  if (row >= batch * heads * queries)
    return;
  int i = row % queries;
  int bh = row / queries;
  int h = bh % heads, b = bh / heads;
  long kvBase = (long(b) * kvHeads + h / (heads / kvHeads)) * keys * dim;
  const T *qRow = q + long(row) * dim;
  for (int t = threadIdx.x; t < dim; t += blockDim.x)
    query[t] = load(qRow, t);
  __syncthreads();
  int visible = causal ? min(keys, i + keys - queries + 1) : keys;
  float maximum = -INFINITY;
  for (int j = threadIdx.x; j < keys; j += blockDim.x) {
    float s = -INFINITY;
    if (j < visible) {
      s = 0;
      for (int t = 0; t < dim; ++t)
        s += query[t] * load(k, kvBase + long(j) * dim + t);
      s *= scale;
    }
    scores[j] = s;
    maximum = fmaxf(maximum, s);
  }
  maximum = blockReduce<Reduce::Max>(maximum);
  float sum = 0;
  for (int j = threadIdx.x; j < keys; j += blockDim.x) {
    float p = j < visible ? expf(scores[j] - maximum) : 0.0f;
    scores[j] = p;
    sum += p;
  }
  sum = blockReduce<Reduce::Sum>(sum); // also orders the score writes
  T *oRow = o + long(row) * dim;
  for (int t = threadIdx.x; t < dim; t += blockDim.x) {
    float acc = 0;
    for (int j = 0; j < visible; ++j)
      acc += scores[j] * load(v, kvBase + long(j) * dim + t);
    store(oRow, t, acc / sum);
  }
}

} // namespace

extern "C" {

__global__ void __launch_bounds__(kRowThreads)
    gaon_softmax_f32(const float *in, float *out, int rows, int cols) {
  softmax(in, out, rows, cols);
}

__global__ void __launch_bounds__(kRowThreads)
    gaon_softmax_bf16(const __nv_bfloat16 *in, __nv_bfloat16 *out, int rows,
                      int cols) {
  softmax(in, out, rows, cols);
}

__global__ void __launch_bounds__(kRowThreads)
    gaon_layernorm_f32(const float *in, const float *gamma, const float *beta,
                       float *out, int rows, int cols, float epsilon) {
  layerNorm(in, gamma, beta, out, rows, cols, epsilon);
}

__global__ void __launch_bounds__(kRowThreads)
    gaon_layernorm_bf16(const __nv_bfloat16 *in, const __nv_bfloat16 *gamma,
                        const __nv_bfloat16 *beta, __nv_bfloat16 *out, int rows,
                        int cols, float epsilon) {
  layerNorm(in, gamma, beta, out, rows, cols, epsilon);
}

__global__ void __launch_bounds__(kRowThreads)
    gaon_attention_f32(const float *q, const float *k, const float *v, float *o,
                       int batch, int heads, int kvHeads, int queries, int keys,
                       int dim, float scale, int causal) {
  attention(q, k, v, o, batch, heads, kvHeads, queries, keys, dim, scale,
            causal);
}

__global__ void __launch_bounds__(kRowThreads)
    gaon_attention_bf16(const __nv_bfloat16 *q, const __nv_bfloat16 *k,
                        const __nv_bfloat16 *v, __nv_bfloat16 *o, int batch,
                        int heads, int kvHeads, int queries, int keys, int dim,
                        float scale, int causal) {
  attention(q, k, v, o, batch, heads, kvHeads, queries, keys, dim, scale,
            causal);
}

} // extern "C"
