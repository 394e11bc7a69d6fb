import {
  checkRules,
  decideHandling,
  parseRiskModel,
  riskFeatures,
  scoreRisk,
  type CustomerHistory,
  type NewOrder,
  type RiskModel,
  type RuleLimits,
  type ValidationResult,
} from '@orderflow/core';

/** What each pool thread is started with (`workerData`). */
export interface ValidationSettings {
  readonly riskModel: unknown;
  readonly limits: RuleLimits;
  readonly priorityThresholdMinor: number;
}

export interface ValidationTask {
  readonly order: NewOrder;
  readonly history: CustomerHistory;
}

export interface PreparedSettings {
  readonly model: RiskModel;
  readonly limits: RuleLimits;
  readonly priorityThresholdMinor: number;
}

export function prepareSettings(settings: ValidationSettings): PreparedSettings {
  return {
    model: parseRiskModel(settings.riskModel),
    limits: settings.limits,
    priorityThresholdMinor: settings.priorityThresholdMinor,
  };
}

/** Business rules, risk score and handling of a batch of orders (pure). */
export function validateOrders(tasks: readonly ValidationTask[], settings: PreparedSettings): ValidationResult[] {
  return tasks.map(({ order, history }) => {
    const riskScore = scoreRisk(
      settings.model,
      riskFeatures(
        {
          total_minor: order.total_minor,
          items: order.items,
          priority: order.priority,
          has_address: order.address !== undefined,
          has_email: order.customer_email !== undefined,
        },
        history,
      ),
    );
    return {
      failures: checkRules(order, settings.limits, riskScore),
      handling: decideHandling(order, settings.priorityThresholdMinor),
      risk_score: Math.round(riskScore * 1e6) / 1e6,
    };
  });
}
